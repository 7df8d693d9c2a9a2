import type { ReleaseDetail, ReleasePlan } from '../../src/api/types.ts';

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

/** A plan at its second stage with two windows of metrics and the decisions that brought it there. */
export function detail(over: Partial<ReleasePlan> = {}): ReleaseDetail {
  return {
    plan: plan(over),
    decisions: [
      { id: 1, planId: 'rp_1', at: NOW - 5 * HOUR, stage: 0, action: 'start', rule: null, evidence: null, actor: 'admin' },
      {
        id: 2,
        planId: 'rp_1',
        at: NOW - HOUR,
        stage: 0,
        action: 'advance',
        rule: 'checks_passed',
        evidence: { samples: { treatment: 1200, control: 23_000 }, errorRate: { treatment: 0.011, control: 0.0102 }, llr: -1.7 },
        actor: 'release:rp_1',
      },
    ],
    approval: null,
    health: {
      windowSeconds: 60,
      windows: [
        { start: NOW - 120_000, treatment: health(300, 3, 120), control: health(5700, 57, 118) },
        { start: NOW - 60_000, treatment: health(320, 4, 131), control: health(5800, 60, 119) },
      ],
      thresholds: { errorRate: { maxRatio: 2 }, latencyP95: { maxMs: 800, maxRatio: 1.2 } },
      sprt: { llr: -0.4, upper: 2.8, lower: -1.6 },
    },
  };
}
