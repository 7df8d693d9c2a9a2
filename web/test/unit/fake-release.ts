import type { ReleaseDetail, ReleasePlan, VariantHealth } from '../../src/api/types.ts';

export const HOUR = 3_600_000;
export const NOW = 1_800_000_000_000;

export function plan(over: Partial<ReleasePlan> = {}): ReleasePlan {
  const stage = (percentage: number, minDurationSeconds = 14_400) => ({
    percentage,
    minDurationSeconds,
    approval: 'auto' as const,
    minSamples: 100,
    checks: { errorRate: { maxRatio: 2 } },
  });
  return {
    id: 'rp_1',
    environment: 'production',
    flagKey: 'checkout',
    status: 'running',
    treatmentVariant: 'on',
    baselineVariant: 'off',
    stages: [stage(5), stage(25), stage(50), stage(100, 0)],
    settings: { alpha: 0.05, power: 0.8, detectRatio: 2, windowSeconds: 60, browserMetrics: false, perCallerShare: 0.1 },
    currentStage: 1,
    stageStartedAt: NOW - HOUR,
    startedAt: NOW - 5 * HOUR,
    startedBy: 'admin',
    endedAt: null,
    endReason: null,
    version: 4,
    createdAt: NOW - 5 * HOUR,
    updatedAt: NOW - HOUR,
    ...over,
  };
}

const health = (count: number, errors: number, p95: number) => ({ count, errors, errorRate: errors / count, p95, p99: p95 * 2 });

const window = (start: number, treatment: VariantHealth, control: VariantHealth) => ({
  start,
  treatment,
  control,
  all: { treatment, control },
});

/** A plan at its second stage with two windows of metrics and the decisions that brought it there. */
export function detail(over: Partial<ReleasePlan> = {}): ReleaseDetail {
  return {
    plan: plan(over),
    decisions: [
      {
        id: 1,
        at: NOW - 5 * HOUR,
        stage: 0,
        action: 'start',
        rule: null,
        evidence: { reason: 'seed 001 plan' },
        actor: 'admin',
      },
      {
        id: 2,
        at: NOW - HOUR,
        stage: 0,
        action: 'advance',
        rule: 'checks_passed',
        evidence: {
          stageIndex: 0,
          percentage: 5,
          elapsedMs: 14_400_000,
          minDurationMs: 14_400_000,
          windows: 240,
          minSamples: 100,
          treatment: { count: 1200, errors: 13, errorRate: 0.011, errorRateInterval: [0.006, 0.018], p95: 131, p99: 260 },
          control: { count: 23_000, errors: 235, errorRate: 0.0102, errorRateInterval: [0.009, 0.0116], p95: 119, p99: 240 },
          sprt: {
            status: 'accepted',
            llr: -1.7,
            upper: 3.69,
            lower: -1.61,
            alphaStage: 0.025,
            detectRatio: 2,
            indifferenceRatio: 1.41,
            ratio: 1.06,
            ratioInterval: [0.61, 1.84],
            exposureShare: 0.05,
          },
          checks: [{ rule: 'latency_p95_ratio', status: 'pass', observed: 1.1, threshold: 1.2 }],
        },
        actor: 'release:rp_1',
      },
    ],
    approval: null,
    health: {
      windowSeconds: 60,
      windows: [
        window(NOW - 120_000, health(300, 3, 120), health(5700, 57, 118)),
        window(NOW - 60_000, health(320, 4, 131), health(5800, 60, 119)),
      ],
      thresholds: { errorRate: { maxRatio: 2 }, latencyP95: { maxMs: 800, maxRatio: 1.2 } },
      sprt: { llr: -0.4, upper: 2.8, lower: -1.6, status: 'undecided', ratio: 1.21, ratioInterval: [0.6, 2.4] },
      now: { action: 'hold', rule: 'min_duration' },
    },
  };
}
