import type { CodeRef } from '../api/code-ref-types.ts';
import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';

export type { CodeRef };

/** Shown per repository; past this many lines the rest is counted, not listed. */
const SHOWN = 20;

/** Where code reads this flag, per repository; none pushed means none known, not none at all. */
export function CodeRefs({ flagKey }: { flagKey: string }) {
  const { api } = useSession();
  const refs = useAsync(() => api.codeRefs(flagKey).then((r) => r.refs), [flagKey]);
  if (refs.error && !refs.data) return <p class="muted small">References unavailable: {refs.error.message}</p>;
  if (!refs.data) return <p class="muted small">Loading references…</p>;
  if (!refs.data.length)
    return (
      <p class="muted small">
        No code references pushed. Run <code>npx edgeflags refs push</code> on your main branch to list them here.
      </p>
    );
  const byRepo = Map.groupBy(refs.data, (r) => r.repository);
  return (
    <ul class="code-refs" aria-label="Code references">
      {[...byRepo].map(([repository, rows]) => (
        <li key={repository}>
          <strong>{repository}</strong>{' '}
          <span class="muted small">
            {rows.length} reference{rows.length === 1 ? '' : 's'} at {rows[0]!.commit.slice(0, 7)}
            {rows[0]!.branch ? ` (${rows[0]!.branch})` : ''}, pushed {new Date(rows[0]!.pushedAt).toLocaleString()}
          </span>
          <ul class="small">
            {rows.slice(0, SHOWN).map((r) => (
              <li key={`${r.path}:${r.line}`}>
                <code>
                  {r.path}:{r.line}
                </code>
              </li>
            ))}
            {rows.length > SHOWN && <li class="muted">and {rows.length - SHOWN} more</li>}
          </ul>
        </li>
      ))}
    </ul>
  );
}
