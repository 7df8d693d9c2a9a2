import type { Environment } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';
import { POLL_MS, usePoll } from '../hooks/use-poll.ts';

/** One request per environment, and exposures reach D1 in queue batches: a slower poll than the page's loses little. */
const EXPOSURE_POLL_MS = POLL_MS * 4;
const FALLBACK = '';

/** Variant order: the flag's own variants first, then anything the SDKs reported that the flag no longer has. */
function ordered(counts: Record<string, number>, variants: string[]): string[] {
  const extra = Object.keys(counts).filter((v) => !variants.includes(v));
  return [...variants, ...extra].filter((v) => (counts[v] ?? 0) > 0);
}

const label = (v: string) => (v === FALLBACK ? 'SDK fallback' : v);
// Variants keep their colour across environments; the fallback and removed variants share a neutral one.
const tone = (v: string, variants: string[]) => `seg-${variants.includes(v) ? variants.indexOf(v) % 6 : 'fallback'}`;

/** What the SDKs actually served in the last 24 h, per environment and variant. */
export function ExposureSummary({ flagKey, variants, environments }: { flagKey: string; variants: string[]; environments: Environment[] }) {
  const { api } = useSession();
  const data = useAsync(
    () => Promise.all(environments.map((e) => api.exposures(e.key, flagKey).then((r) => r.flags[flagKey] ?? {}))),
    [flagKey, environments.length],
  );
  usePoll(() => data.reload(true), EXPOSURE_POLL_MS);
  if (data.error && !data.data) return <p class="muted small">Exposures unavailable: {data.error.message}</p>;
  if (!data.data) return <p class="muted small">Loading exposures…</p>;
  return (
    <ul class="exposures" aria-label="Exposures in the last 24 hours">
      {environments.map((env, i) => {
        const counts = data.data?.[i] ?? {};
        const shown = ordered(counts, variants);
        const total = shown.reduce((n, v) => n + (counts[v] ?? 0), 0);
        return (
          <li key={env.key} class="exposure-row" data-env={env.key}>
            <span class="exposure-env">{env.name}</span>
            {total === 0 ? (
              <span class="muted small">no exposures</span>
            ) : (
              <>
                <span class="exposure-bar" aria-hidden="true">
                  {shown.map((v) => (
                    <span key={v} class={`exposure-seg ${tone(v, variants)}`} style={{ width: `${((counts[v] ?? 0) / total) * 100}%` }} />
                  ))}
                </span>
                <span class="exposure-counts small">
                  {shown.map((v) => (
                    <span key={v} class="exposure-count">
                      <span class={`swatch ${tone(v, variants)}`} aria-hidden="true" />
                      {label(v)} <strong>{(counts[v] ?? 0).toLocaleString()}</strong>
                    </span>
                  ))}
                </span>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
