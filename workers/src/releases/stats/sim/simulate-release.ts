import type { ReleaseSettings, Stage } from '../../plan-schema.ts';
import { decideFromTotals, ratioToDetect } from '../decide-stage.ts';
import { expectedErrorsToRollback, sprtBounds } from '../sprt.ts';
import { StageTotals } from '../stage-totals.ts';
import { binomial, poisson, type Uniform } from './samplers.ts';

/**
 * Runs whole releases through the real decision rules (decideFromTotals, the same as decideStage
 * after summing windows) on simulated traffic, one window at a time, so the suite measures what
 * the conductor would do.
 */

/** Seed 001's traffic (docs/releases.md, Statistics): requests in flag-evaluating scope. */
export interface Traffic {
  /** Tracked requests per minute across all users (both variants). */
  requestsPerMinute: number;
  /** Control's (and, under A/A, treatment's) error rate. */
  baselineErrorRate: number;
}

/** 45,000 monthly users × 10 tracked requests per monthly user per day, spread over 24 h. */
export const SEED_001_TRAFFIC: Traffic = { requestsPerMinute: (45_000 * 10) / 1440, baselineErrorRate: 0.01 };

export interface ReleaseRun {
  outcome: 'rollback' | 'complete' | 'stalled';
  /** The stage that ended the run (rolled back in, or the last). */
  stageIndex: number;
  /** From the release's start to the decision. */
  minutes: number;
  /** From the start of the stage that ended the run. */
  stageMinutes: number;
  /** Requests and errors the treatment served in that stage. */
  treatmentRequests: number;
  treatmentErrors: number;
}

export interface SimulationOptions {
  /** True error-rate ratio, treatment over control; a function draws one per stage (user clustering). */
  ratio: number | ((stageIndex: number) => number);
  /** Give up on a stage held longer than this (a person would look): reported as 'stalled'. */
  maxStageMinutes?: number;
}

/**
 * Under A/A, once a stage's llr sits this far below its upper bound, Ville's inequality puts the
 * chance it ever climbs back at e^-15 ≈ 3·10^-7, so the run skips the rest of the stage's minimum
 * duration instead of simulating a day of windows that cannot change the outcome.
 */
const AA_SKIP_NATS = 15;

export function simulateRelease(
  stages: Stage[],
  settings: ReleaseSettings,
  traffic: Traffic,
  options: SimulationOptions,
  u: Uniform,
): ReleaseRun {
  const windowMinutes = settings.windowSeconds / 60;
  const maxStageMinutes = options.maxStageMinutes ?? 7 * 1440;
  let minutes = 0;
  for (const [stageIndex, stage] of stages.entries()) {
    const lastStage = stageIndex === stages.length - 1;
    const share = stage.percentage / 100;
    const ratio = typeof options.ratio === 'number' ? options.ratio : options.ratio(stageIndex);
    const totals = new StageTotals(ratioToDetect(stage, settings));
    const { upper } = sprtBounds(settings.alpha, settings.power, stageIndex);
    const run = (outcome: ReleaseRun['outcome'], elapsed: number): ReleaseRun => ({
      outcome,
      stageIndex,
      minutes: minutes + elapsed,
      stageMinutes: elapsed,
      treatmentRequests: totals.treatment.count,
      treatmentErrors: totals.treatment.errors,
    });
    let elapsed = 0;
    for (;;) {
      const input = { stage, settings, stageIndex, lastStage, elapsedMs: elapsed * 60_000, approved: true };
      const d = decideFromTotals(input, totals);
      if (d.action === 'rollback') return run('rollback', elapsed);
      if (d.action === 'complete') return run('complete', elapsed);
      if (d.action === 'advance') break;
      if (elapsed >= maxStageMinutes) return run('stalled', elapsed);
      if (ratio <= 1 && d.rule === 'min_duration' && totals.llr <= upper - AA_SKIP_NATS) {
        elapsed = Math.max(elapsed, stage.minDurationSeconds / 60);
        continue;
      }
      const n = poisson(u, traffic.requestsPerMinute * windowMinutes);
      const nT = binomial(u, n, share);
      const r = traffic.baselineErrorRate;
      totals.addCounts(nT, binomial(u, nT, Math.min(1, r * ratio)), n - nT, binomial(u, n - nT, r));
      elapsed += windowMinutes;
    }
    minutes += elapsed;
  }
  return { outcome: 'complete', stageIndex: stages.length - 1, minutes, stageMinutes: 0, treatmentRequests: 0, treatmentErrors: 0 };
}

/**
 * Wald's expected sample number, as minutes: errors needed to climb from 0 to the upper bound at
 * the expected llr per error under the true ratio, over errors per minute (overshoot ignored, so
 * a slight underestimate). Valid when the true ratio lies well above the indifference ratio.
 */
export function expectedDetectionMinutes(traffic: Traffic, share: number, ratio: number, lambda1: number, upper: number): number {
  const r = traffic.baselineErrorRate;
  const errorsPerMinute = traffic.requestsPerMinute * (share * r * ratio + (1 - share) * r);
  return expectedErrorsToRollback(share, ratio, lambda1, upper) / errorsPerMinute;
}

/** The q-quantile of a sample (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
