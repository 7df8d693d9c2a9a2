import type { ReleaseDetail, VariantHealth } from '../api/types.ts';
import { num } from '../lib/release-state.ts';
import { ReleaseChart } from './release-chart.tsx';

type Health = ReleaseDetail['health'];
type Window = Health['windows'][number];

/** The stage's limit per window: the absolute maximum, or control's value × the allowed ratio, whichever is lower. */
function limit(
  windows: Window[],
  pick: (v: VariantHealth) => number | null,
  check: { max?: number; maxMs?: number; maxRatio?: number } = {},
) {
  const max = check.max ?? check.maxMs;
  if (max === undefined && check.maxRatio === undefined) return undefined;
  return windows.map((w) => {
    const c = pick(w.control);
    const ratio = check.maxRatio !== undefined && c !== null ? c * check.maxRatio : undefined;
    const v = Math.min(max ?? Infinity, ratio ?? Infinity);
    return v === Infinity ? null : v;
  });
}

/** Treatment against the concurrent control, per window, with the current stage's thresholds drawn. */
export function ReleaseHealth({ health }: { health: Health }) {
  const { windows, thresholds, sprt } = health;
  if (windows.length === 0) return <p class="muted">No metrics yet: SDKs report outcomes once the rollout serves the new variant.</p>;
  const chart = (title: string, pick: (v: VariantHealth) => number | null, format: (n: number) => string, check?: object) => {
    const th = check && limit(windows, pick, check);
    const series = [
      { name: 'treatment', kind: 't' as const, values: windows.map((w) => pick(w.treatment)) },
      { name: 'control', kind: 'c' as const, values: windows.map((w) => pick(w.control)) },
      ...(th ? [{ name: 'threshold', kind: 'th' as const, values: th }] : []),
    ];
    return <ReleaseChart title={title} series={series} format={format} />;
  };
  return (
    <>
      <p class="muted small">
        {windows.length} windows of {health.windowSeconds} s
        {sprt && (
          <>
            {' '}
            · error ratio {sprt.ratio === null ? '—' : num(sprt.ratio)}, test {sprt.status.replace('_', ' ')}: log-likelihood ratio{' '}
            {num(sprt.llr)} (rolls back at {num(sprt.upper)}, healthy at {num(sprt.lower)})
          </>
        )}
        {health.now && ` · now: ${health.now.action.replace('_', ' ')} (${health.now.rule})`}
      </p>
      <div class="charts">
        {chart(
          'Error rate',
          (v) => v.errorRate,
          (n) => num(n, true),
          thresholds.errorRate,
        )}
        {chart(
          'p95 latency',
          (v) => v.p95,
          (n) => `${num(n)} ms`,
          thresholds.latencyP95,
        )}
        {chart('Samples', (v) => v.count, num)}
      </div>
    </>
  );
}
