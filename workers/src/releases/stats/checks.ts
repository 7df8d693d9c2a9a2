import type { Stage } from '../plan-schema.ts';
import { quantileRankInterval, rateRatioInterval, wilson } from './intervals.ts';
import type { StageTotals, VariantTotals } from './stage-totals.ts';
import type { CheckEvidence, DecisionRule } from './types.ts';

/**
 * The stage's threshold checks: absolute error rate, latency p95/p99 (absolute and as a ratio to
 * control) and business events. Each holds the plan when it fails and never rolls back: only the
 * ratio test, whose false-rollback rate is stated, rolls back by itself. A check is judged once
 * the stage has its minimum samples; a check that has no data to judge holds ('waiting'), so a
 * plan never passes a check it could not evaluate.
 */

/** Below these many timed requests a p95/p99 is the maximum, not a quantile. */
const QUANTILE_FLOOR = { 0.95: 20, 0.99: 100 } as const;

const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export function quantileOf(v: VariantTotals, q: 0.95 | 0.99): { value: number | null; interval: [number, number] | null } {
  const sketch = v.latency;
  if (!sketch || sketch.count < QUANTILE_FLOOR[q]) return { value: null, interval: null };
  const ranks = quantileRankInterval(q, sketch.count);
  const lo = ranks ? sketch.quantile(ranks[0]) : undefined;
  const hi = ranks ? sketch.quantile(ranks[1]) : undefined;
  return { value: finite(sketch.quantile(q)), interval: lo === undefined || hi === undefined ? null : [lo, hi] };
}

function latencyChecks(
  q: 0.95 | 0.99,
  check: { maxMs?: number; maxRatio?: number } | undefined,
  totals: StageTotals,
  hasControl: boolean,
  judged: boolean,
): CheckEvidence[] {
  if (!check) return [];
  const [maxRule, ratioRule]: [DecisionRule, DecisionRule] =
    q === 0.95 ? ['latency_p95_max', 'latency_p95_ratio'] : ['latency_p99_max', 'latency_p99_ratio'];
  const t = quantileOf(totals.treatment, q);
  const out: CheckEvidence[] = [];
  if (check.maxMs !== undefined) {
    const status = !judged || t.value === null ? 'waiting' : t.value > check.maxMs ? 'fail' : 'pass';
    out.push({
      rule: maxRule,
      status,
      observed: t.value,
      threshold: check.maxMs,
      interval: t.interval,
      ...(t.value === null ? { note: 'too few timed requests' } : {}),
    });
  }
  if (check.maxRatio !== undefined) {
    if (!hasControl)
      out.push({ rule: ratioRule, status: 'not_applicable', observed: null, threshold: check.maxRatio, note: 'no control at 100%' });
    else {
      const c = quantileOf(totals.control, q);
      const ratio = t.value !== null && c.value ? t.value / c.value : null;
      const status = !judged || ratio === null ? 'waiting' : ratio > check.maxRatio ? 'fail' : 'pass';
      const interval: [number, number] | null =
        t.interval && c.interval && c.interval[0] > 0 ? [t.interval[0] / c.interval[1], t.interval[1] / c.interval[0]] : null;
      out.push({
        rule: ratioRule,
        status,
        observed: ratio,
        threshold: check.maxRatio,
        interval,
        ...(ratio === null ? { note: 'too few timed requests' } : {}),
      });
    }
  }
  return out;
}

function eventChecks(events: Stage['checks']['events'], totals: StageTotals, hasControl: boolean, judged: boolean): CheckEvidence[] {
  return (events ?? []).map(({ name, minRatio }): CheckEvidence => {
    if (!hasControl)
      return { rule: 'event_ratio', name, status: 'not_applicable', observed: null, threshold: minRatio, note: 'no control at 100%' };
    const t = totals.treatment;
    const c = totals.control;
    const xT = t.events.get(name)?.count ?? 0;
    const xC = c.events.get(name)?.count ?? 0;
    // Per request: the rollout's share of traffic differs from control's, so counts alone mislead.
    const ratio = t.count > 0 && c.count > 0 && xC > 0 ? xT / t.count / (xC / c.count) : null;
    const status = !judged || ratio === null ? 'waiting' : ratio < minRatio ? 'fail' : 'pass';
    return {
      rule: 'event_ratio',
      name,
      status,
      observed: ratio,
      threshold: minRatio,
      interval: rateRatioInterval(xT, t.count, xC, c.count),
      ...(ratio === null ? { note: 'no such events in control yet' } : {}),
    };
  });
}

/** Every threshold check of the stage, in the order their rules are reported. */
export function thresholdChecks(stage: Stage, totals: StageTotals, hasControl: boolean, judged: boolean): CheckEvidence[] {
  const out: CheckEvidence[] = [];
  const max = stage.checks.errorRate?.max;
  if (max !== undefined) {
    const t = totals.treatment;
    const rate = t.count > 0 ? t.errors / t.count : null;
    const status = !judged || rate === null ? 'waiting' : rate > max ? 'fail' : 'pass';
    out.push({ rule: 'error_rate_max', status, observed: rate, threshold: max, interval: wilson(t.errors, t.count) });
  }
  out.push(...latencyChecks(0.95, stage.checks.latencyP95, totals, hasControl, judged));
  out.push(...latencyChecks(0.99, stage.checks.latencyP99, totals, hasControl, judged));
  out.push(...eventChecks(stage.checks.events, totals, hasControl, judged));
  return out;
}
