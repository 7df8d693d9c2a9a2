import { useState } from 'preact/hooks';
import type { Environment, HubStats } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';

export function EnvironmentsPage() {
  const { api, me, environments, reloadEnvironments, notify } = useSession();
  const hubs = useAsync(async () => {
    const stats = await Promise.all(environments.map((e) => api.hubStats(e.key).catch(() => undefined)));
    return Object.fromEntries(environments.map((e, i) => [e.key, stats[i]])) as Record<string, HubStats | undefined>;
  }, [environments.length]);
  usePoll(() => hubs.reload(true));
  const [form, setForm] = useState({ key: '', name: '', production: false });
  const [error, setError] = useState<Error>();
  const create = async () => {
    setError(undefined);
    try {
      await api.createEnvironment(form);
      notify(`Created environment ${form.key}: every flag is off there.`);
      setForm({ key: '', name: '', production: false });
      await reloadEnvironments();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section class="page">
      <h1>Environments</h1>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Snapshot</th>
              <th scope="col">Connected streams</th>
              <th scope="col">Last push</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {environments.map((e) => {
              const h = hubs.data?.[e.key];
              const last = h?.recent[0];
              return (
                <tr key={e.key}>
                  <td>
                    <strong>{e.name}</strong> <code>{e.key}</code> {e.production && <span class="badge badge-prod">production</span>}
                  </td>
                  <td data-label="Snapshot">v{h?.version ?? e.snapshotVersion}</td>
                  <td data-label="Streams">
                    {h ? `${h.connections.server} server · ${h.connections.client} browser · ${h.connections.ofrep} OFREP` : '—'}
                  </td>
                  <td data-label="Last push">
                    {last
                      ? `v${last.version}: sent to ${last.sent}, ${last.acked} confirmed${last.lastAckMs !== null ? ` in ${last.lastAckMs} ms` : ''}`
                      : '—'}
                  </td>
                  <td data-label="Review">
                    <ReviewSetting env={e} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {me.role === 'admin' && (
        <form
          class="panel grid-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2 class="span-2">New environment</h2>
          <div class="field">
            <label for="env-key">Key</label>
            <input
              id="env-key"
              required
              value={form.key}
              onInput={(e) => setForm({ ...form, key: e.currentTarget.value })}
              placeholder="qa"
            />
          </div>
          <div class="field">
            <label for="env-name">Name</label>
            <input
              id="env-name"
              required
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              placeholder="QA"
            />
          </div>
          <label class="check span-2">
            <input type="checkbox" checked={form.production} onChange={(e) => setForm({ ...form, production: e.currentTarget.checked })} />
            Production (changes ask for confirmation; restricted tokens cannot write)
          </label>
          <div class="span-2">
            <ErrorNote error={error} />
            <button type="submit" class="btn btn-primary">
              Create environment
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/**
 * How many approvals a flag change in the environment needs (0: saved directly). Admins set it
 * (PUT /environments/{env}/review); everyone else sees it.
 */
function ReviewSetting({ env }: { env: Environment }) {
  const { api, me, reloadEnvironments, notify } = useSession();
  const [n, setN] = useState(env.requiredApprovals);
  const [error, setError] = useState<Error>();
  const label = (k: number) => (k > 0 ? `${k} approval${k > 1 ? 's' : ''}` : 'none');
  if (me.role !== 'admin') return <>{label(env.requiredApprovals)}</>;
  const save = async () => {
    setError(undefined);
    try {
      await api.setReview(env.key, n);
      notify(`${env.name}: flag changes need ${label(n)} from now on.`);
      await reloadEnvironments();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <form
      class="field-inline"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label for={`review-${env.key}`}>Approvals required</label>
      <input id={`review-${env.key}`} type="number" min={0} max={5} value={n} onInput={(e) => setN(Number(e.currentTarget.value))} />
      <button type="submit" class="btn btn-sm" disabled={n === env.requiredApprovals}>
        Save
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
