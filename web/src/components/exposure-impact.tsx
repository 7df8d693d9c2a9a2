import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';

const fmt = new Intl.NumberFormat('en');

/**
 * The impact of a change every environment serves (variants, client visibility, archive): the
 * impact route compares one environment's configuration, so this counts what production SDKs
 * actually served in the last 24 h — those are the users the change reaches.
 */
export function ExposureImpact({
  flagKey,
  variants,
  effect,
}: {
  flagKey: string;
  /** Count only these variants (the ones whose value changes); every exposure when absent. */
  variants?: string[];
  /** What happens to them, e.g. "they get their code default instead". */
  effect: string;
}) {
  const { api, environments } = useSession();
  const production = environments.filter((e) => e.production);
  const counts = useAsync(
    () =>
      Promise.all(
        production.map((e) =>
          api.exposures(e.key, flagKey).then((r) => {
            const byVariant = r.flags[flagKey] ?? {};
            return Object.entries(byVariant).reduce((n, [v, c]) => n + (!variants || variants.includes(v) ? c : 0), 0);
          }),
        ),
      ),
    [flagKey, production.length, variants?.join()],
  );
  if (production.length === 0) return null;
  const which = variants ? ` served ${variants.map((v) => `"${v}"`).join(' or ')}` : '';
  return (
    <div class="impact" aria-live="polite">
      {counts.error && <p class="muted">Impact unavailable: {counts.error.message}</p>}
      {!counts.data && !counts.error && <p class="muted">Counting recent evaluations…</p>}
      {counts.data &&
        production.map((env, i) => (
          <p key={env.key}>
            <strong data-testid="exposure-impact">{fmt.format(counts.data?.[i] ?? 0)}</strong> evaluations in {env.name} in the last 24 h
            {which}: {effect}.
          </p>
        ))}
    </div>
  );
}
