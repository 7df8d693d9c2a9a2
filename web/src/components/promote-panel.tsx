import { useState } from 'preact/hooks';
import type { Environment } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from './error-note.tsx';
import { Link } from './link.tsx';

interface Props {
  flagKey: string;
  /** The environment the configuration moves into. */
  env: Environment;
  canAct: boolean;
  onChanged: () => void;
}

type Preview = Awaited<ReturnType<ReturnType<typeof useSession>['api']['promote']>>;

const json = (v: unknown) => (v === null || v === undefined ? '—' : JSON.stringify(v, null, 2));

/**
 * Promotion as a reviewed diff (issue 11 §6): the server computes what differs from another
 * environment (POST …/promote without `apply`), and applying sends the target version that diff
 * was read against, so a target that moved meanwhile answers 409 instead of being overwritten.
 * Where the target reviews changes, the server turns the apply into a change request.
 */
export function PromotePanel({ flagKey, env, canAct, onChanged }: Props) {
  const { api, environments, notify } = useSession();
  const sources = environments.filter((e) => e.key !== env.key);
  const [from, setFrom] = useState(sources[0]?.key ?? '');
  const [preview, setPreview] = useState<Preview>();
  const [done, setDone] = useState<Preview>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const reviewed = env.requiredApprovals > 0;
  if (sources.length === 0) return null;

  const run = async (apply: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.promote(flagKey, env.key, apply ? { from, apply, version: preview?.toVersion } : { from });
      if (!apply) {
        setPreview(res);
        setDone(undefined);
        return;
      }
      setPreview(undefined);
      setDone(res);
      if (res.outcome === 'applied') {
        notify(`Promoted ${flagKey} from ${from} to ${env.key}.`);
        onChanged();
      } else if (res.outcome === 'proposed') notify(`Proposed the promotion to ${env.key}: it applies once approved.`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel-section" aria-label={`Promote into ${env.name}`}>
      <h3>Promote</h3>
      <div class="field field-inline">
        <label for="promote-from">From</label>
        <select
          id="promote-from"
          value={from}
          onChange={(e) => {
            setFrom(e.currentTarget.value);
            setPreview(undefined);
          }}
        >
          {sources.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-sm" disabled={busy} onClick={() => void run(false)}>
          Promote from {from}
        </button>
      </div>
      <ErrorNote error={error} />
      {preview && preview.diff.length === 0 && (
        <p class="muted" role="status">
          {env.name} already has the configuration of {from}: nothing to promote.
        </p>
      )}
      {preview && preview.diff.length > 0 && (
        <>
          <table class="table" aria-label={`Differences from ${from}`}>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">In {env.key} now</th>
                <th scope="col">From {from}</th>
              </tr>
            </thead>
            <tbody>
              {preview.diff.map((d) => (
                <tr key={d.field}>
                  <td>{d.field}</td>
                  <td>
                    <pre>{json(d.before)}</pre>
                  </td>
                  <td>
                    <pre>{json(d.after)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {canAct && (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void run(true)}>
              {reviewed ? 'Propose promotion' : `Apply to ${env.name}`}
            </button>
          )}
        </>
      )}
      {done?.outcome === 'proposed' && done.changeRequest && (
        <p class="muted" role="status">
          Change request proposed:{' '}
          <Link href={`/changes?env=${encodeURIComponent(env.key)}&id=${encodeURIComponent(done.changeRequest.id)}`}>review it</Link>.
        </p>
      )}
      {done?.outcome === 'applied' && (
        <p class="muted" role="status">
          Promoted from {from} (version {done.write?.config.version}).
        </p>
      )}
    </section>
  );
}
