import { useState } from 'preact/hooks';
import type { ChangeAction, ChangeRequest, ChangeStatus } from '../api/change-types.ts';
import { ApiError } from '../api/client.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { useRoute } from '../hooks/use-route.ts';

const when = (ms: number) => new Date(ms).toLocaleString();
const json = (v: unknown) => (v === null || v === undefined ? '—' : JSON.stringify(v, null, 2));

/**
 * Change requests of an environment (docs/change-requests.md): the list, and a review view with
 * the diff from the configuration now, the approvals, and approve / reject / apply / cancel.
 * The server decides every rule (author cannot approve, approvals per revision, version re-check):
 * this page shows its answers.
 */
export function ChangesPage() {
  const { api, environments } = useSession();
  // `?env=…&id=…`: a link from the editor that proposed the change opens its review.
  const { query } = useRoute();
  const production = environments.find((e) => e.production)?.key ?? environments[0]?.key ?? '';
  const [env, setEnv] = useState(query.get('env') ?? production);
  const [status, setStatus] = useState<ChangeStatus | ''>('open');
  const [open, setOpen] = useState<string | undefined>(query.get('id') ?? undefined);
  const [tick, setTick] = useState(0);
  const list = useAsync(() => api.changeRequests(env, status || undefined), [env, status, tick]);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Change requests</h1>
      </div>
      <div class="field field-inline">
        <label for="cr-env">Environment</label>
        <select
          id="cr-env"
          value={env}
          onChange={(e) => {
            setEnv(e.currentTarget.value);
            setOpen(undefined);
          }}
        >
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
        <label for="cr-status">Status</label>
        <select id="cr-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as ChangeStatus | '')}>
          <option value="open">Open</option>
          <option value="">All</option>
          <option value="applied">Applied</option>
          <option value="failed">Failed</option>
        </select>
      </div>
      <ErrorNote error={list.error} />
      {open ? (
        <Review
          env={env}
          id={open}
          onDone={() => {
            setOpen(undefined);
            setTick(tick + 1);
          }}
        />
      ) : !list.data ? (
        !list.error && <p class="muted">Loading…</p>
      ) : list.data.changeRequests.length === 0 ? (
        <p class="empty">No change request here.</p>
      ) : (
        <List items={list.data.changeRequests} onOpen={setOpen} />
      )}
    </section>
  );
}

function List({ items, onOpen }: { items: ChangeRequest[]; onOpen: (id: string) => void }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">Change requests</caption>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            <th scope="col">Author</th>
            <th scope="col">Status</th>
            <th scope="col">Needs</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>
                <button type="button" class="link" onClick={() => onOpen(c.id)}>
                  {c.flagKey}
                </button>{' '}
                <span class="muted">{c.reason ?? ''}</span>
              </td>
              <td data-label="Author">{c.author}</td>
              <td data-label="Status">{c.status}</td>
              <td data-label="Needs">{c.requiredApprovals} approval(s)</td>
              <td data-label="When">
                {c.applyAt ? `at ${when(c.applyAt)}${c.inSnapshot ? ' (in the snapshot)' : ''}` : when(c.createdAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Review({ env, id, onDone }: { env: string; id: string; onDone: () => void }) {
  const { api, notify } = useSession();
  const [tick, setTick] = useState(0);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | undefined>(undefined);
  const detail = useAsync(() => api.changeRequest(env, id), [env, id, tick]);
  const d = detail.data;
  const act = async (action: ChangeAction, c: ChangeRequest) => {
    setError(undefined);
    try {
      await api.changeAction(env, id, action, c.version, reason || undefined);
      notify(`${c.flagKey}: ${action === 'apply' ? 'applied' : `${action}d`}`);
      if (action === 'apply' || action === 'cancel' || action === 'reject') onDone();
      else setTick(tick + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e : new Error(String(e)));
    }
  };
  if (!d) return <ErrorNote error={detail.error} />;
  const c = d.changeRequest;
  return (
    <div class="change-review">
      <p>
        <button type="button" class="link" onClick={onDone}>
          ← All change requests
        </button>
      </p>
      <h2>
        {c.flagKey} <span class="muted">in {c.environment}</span>
      </h2>
      <p>
        By {c.author}, revision {c.revision}, {c.status}
        {c.outcome ? ` (${c.outcome})` : ''}. Approvals: <strong>{d.approvalsCounted}</strong> of {c.requiredApprovals}.
        {c.applyAt ? ` Applies at ${when(c.applyAt)}${c.inSnapshot ? ', carried in the snapshot' : ''}.` : ''}
      </p>
      {d.stale && c.status === 'open' && (
        <p class="error-note" role="alert">
          The flag changed since this request was written (version {String(d.current.version)}, request written for {c.baseVersion}):
          applying it would be refused. Its author can rebase it.
        </p>
      )}
      {c.reason && <p class="muted">“{c.reason}”</p>}
      <table class="table">
        <caption>What changes</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Now</th>
            <th scope="col">Proposed</th>
          </tr>
        </thead>
        <tbody>
          {d.diff.length === 0 ? (
            <tr>
              <td colSpan={3}>Nothing: the proposal is what the flag serves now.</td>
            </tr>
          ) : (
            d.diff.map((f) => (
              <tr key={f.field}>
                <th scope="row">{f.field}</th>
                <td>
                  <pre>{json(f.before)}</pre>
                </td>
                <td>
                  <pre>{json(f.after)}</pre>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {d.approvals.length > 0 && (
        <ul class="approvals">
          {d.approvals.map((a) => (
            <li key={`${a.by}-${a.at}`}>
              {a.status} by {a.by} · {when(a.at)}
              {a.reason ? ` — ${a.reason}` : ''}
            </li>
          ))}
        </ul>
      )}
      {c.status === 'open' && (
        <>
          <div class="field">
            <label for="cr-reason">Reason (optional)</label>
            <input id="cr-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          <div class="actions">
            <button type="button" onClick={() => act('approve', c)}>
              Approve
            </button>
            <button type="button" onClick={() => act('reject', c)}>
              Reject
            </button>
            <button type="button" class="primary" disabled={d.approvalsCounted < c.requiredApprovals} onClick={() => act('apply', c)}>
              Apply
            </button>
            <button type="button" onClick={() => act('cancel', c)}>
              Cancel request
            </button>
          </div>
        </>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
