import type { ReleaseSettings, Stage } from '../plan-schema.ts';
import { quantileOf, thresholdChecks } from './checks.ts';
import { ratioInterval, wilson } from './intervals.ts';
import { indifferenceRatio, sprtBounds } from './sprt.ts';
import { StageTotals, type VariantTotals } from './stage-totals.ts';
import type { CheckEvidence, SprtEvidence, StageDecision, StageInput, VariantEvidence } from './types.ts';

/**
 * Decides one stage of a release from its windows (docs/releases.md, Statistics). Pure: the
 * ReleaseConductor calls it on every window and applies the answer. Rules, first match wins:
 *  1. rollback  'error_ratio'            the ratio test crossed its upper bound (no minimum: the bound holds at any look)
 *  2. hold      a failing threshold      error rate, latency p95/p99, business events (judged once minSamples are in)
 *  3. hold      'min_samples'            fewer requests than stage.minSamples in either variant
 *  4. hold      <a check still waiting>  a check with no data to judge yet
 *  5. hold      'error_ratio_undecided'  the ratio test has not yet shown health (no control traffic, or between bounds)
 *  6. hold      'min_duration'
 *  7. wait_approval 'manual_approval'
 *  8. complete 'last_stage' on the last stage, else advance 'healthy'
 *
 * @example
 * const d = decideStage({ stage, settings, stageIndex: 0, lastStage: false, elapsedMs, stageStartedAt, windows, approved: false });
 * if (d.action === 'rollback') await rollBack(d.evidence);
 */
export function decideStage(input: StageInput): StageDecision {
  const totals = new StageTotals(ratioToDetect(input.stage, input.settings));
  const from = stageStart(input);
  for (const w of input.windows) if (w.start >= from) totals.add(w);
  return decideFromTotals(input, totals);
}

/** The regression the ratio test must catch: the stage's errorRate.maxRatio, else settings.detectRatio. */
export function ratioToDetect(stage: Stage, settings: ReleaseSettings): number {
  const own = stage.checks.errorRate?.maxRatio;
  return own !== undefined && own > 1 ? own : settings.detectRatio;
}

function stageStart(input: StageInput): number {
  if (input.stageStartedAt !== undefined) return input.stageStartedAt;
  const last = input.windows.at(-1);
  return last ? last.start + input.settings.windowSeconds * 1000 - input.elapsedMs : Number.NEGATIVE_INFINITY;
}

/** decideStage on totals already summed: the simulation's entry, so it runs the same rules. */
export function decideFromTotals(input: Omit<StageInput, 'windows'>, totals: StageTotals): StageDecision {
  const { stage } = input;
  const hasControl = stage.percentage < 100;
  const sprt = sprtEvidence(input, totals, hasControl);
  const samplesIn = totals.treatment.count >= stage.minSamples && (!hasControl || totals.control.count >= stage.minSamples);
  const checks = thresholdChecks(stage, totals, hasControl, samplesIn);
  const evidence = {
    stageIndex: input.stageIndex,
    percentage: stage.percentage,
    elapsedMs: input.elapsedMs,
    minDurationMs: stage.minDurationSeconds * 1000,
    windows: totals.windows,
    minSamples: stage.minSamples,
    treatment: variantEvidence(totals.treatment),
    control: variantEvidence(totals.control),
    sprt,
    checks,
  };
  const decide = (action: StageDecision['action'], rule: StageDecision['rule']): StageDecision => ({ action, rule, evidence });

  if (sprt.status === 'rollback') return decide('rollback', 'error_ratio');
  const failing = checks.find((c: CheckEvidence) => c.status === 'fail');
  if (failing) return decide('hold', failing.rule);
  if (!samplesIn) return decide('hold', 'min_samples');
  const waiting = checks.find((c: CheckEvidence) => c.status === 'waiting');
  if (waiting) return decide('hold', waiting.rule);
  if (sprt.status === 'undecided') return decide('hold', 'error_ratio_undecided');
  if (input.elapsedMs < stage.minDurationSeconds * 1000) return decide('hold', 'min_duration');
  if (stage.approval === 'manual' && !input.approved) return decide('wait_approval', 'manual_approval');
  return input.lastStage ? decide('complete', 'last_stage') : decide('advance', 'healthy');
}

function sprtEvidence(input: Omit<StageInput, 'windows'>, totals: StageTotals, hasControl: boolean): SprtEvidence {
  const { settings } = input;
  const { upper, lower, alphaStage } = sprtBounds(settings.alpha, settings.power, input.stageIndex);
  const t = totals.treatment;
  const c = totals.control;
  const n = t.count + c.count;
  const share = n > 0 ? t.count / n : null;
  const status: SprtEvidence['status'] = !hasControl
    ? 'no_control'
    : totals.llr >= upper
      ? 'rollback'
      : totals.llr <= lower
        ? 'accepted'
        : t.errors + c.errors === 0 && t.count > 0 && c.count > 0
          ? 'no_errors'
          : 'undecided';
  return {
    status,
    llr: totals.llr,
    upper,
    lower,
    alphaStage,
    detectRatio: totals.lambda1,
    indifferenceRatio: share === null ? null : indifferenceRatio(share, totals.lambda1),
    ratio: t.count > 0 && c.count > 0 && c.errors > 0 ? t.errors / t.count / (c.errors / c.count) : null,
    ratioInterval: ratioInterval(t.errors, c.errors, t.count, c.count),
    exposureShare: share,
  };
}

function variantEvidence(v: VariantTotals): VariantEvidence {
  return {
    count: v.count,
    errors: v.errors,
    errorRate: v.count > 0 ? v.errors / v.count : null,
    errorRateInterval: wilson(v.errors, v.count),
    p95: quantileOf(v, 0.95).value,
    p99: quantileOf(v, 0.99).value,
  };
}
