import { LatencySketch } from '@edgeflags/core';
import type { MetricWindow } from './metric-windows.ts';
import type { StageChecks } from './plan-schema.ts';
import { isLive, type Plan } from './plan-store.ts';
import { decideStage, ratioToDetect, type SprtEvidence, type StageDecision } from './stats/index.ts';
import type { VariantAggregate } from './types.ts';
import { emptyAggregate } from './variant-aggregate.ts';

export interface VariantHealth {
  count: number;
  errors: number;
  errorRate: number | null;
  /** Milliseconds; null when nothing was timed. */
  p95: number | null;
  p99: number | null;
}

export interface WindowHealth {
  start: number;
  /** What the decisions use: server-sourced outcomes (and capped browser ones when the plan opts in). */
  treatment: VariantHealth;
  control: VariantHealth;
  /** Everything received, browser-sourced included: shown, never decides unless the plan opts in. */
  all: { treatment: VariantHealth; control: VariantHealth };
}

export interface Health {
  windowSeconds: number;
  windows: WindowHealth[];
  /** The current stage's checks, and the ratio the test must catch. */
  thresholds: StageChecks & { detectRatio: number; minSamples: number; minDurationSeconds: number };
  /** The ratio test over the current stage as of now; null once the plan has ended. */
  sprt: Pick<SprtEvidence, 'llr' | 'upper' | 'lower' | 'status' | 'ratio' | 'ratioInterval'> | null;
  /** What the conductor would decide now (it acts on its next window). */
  now: Pick<StageDecision, 'action' | 'rule'> | null;
}

function variantHealth(a: VariantAggregate | undefined): VariantHealth {
  const v = a ?? emptyAggregate();
  const sketch = v.latency ? LatencySketch.from(v.latency) : undefined;
  const q = (p: number) => (sketch && sketch.count > 0 ? (sketch.quantile(p) ?? null) : null);
  return { count: v.count, errors: v.errors, errorRate: v.count > 0 ? v.errors / v.count : null, p95: q(0.95), p99: q(0.99) };
}

/** Per-window health of both variants, the thresholds drawn on the charts, and the test's state. */
export function healthOf(plan: Plan, windows: MetricWindow[], approved: boolean, now: number): Health {
  const stage = plan.stages[plan.currentStage] ?? plan.stages[0]!;
  const pick = (w: MetricWindow, variant: string, kind: 'decision' | 'display') => w.variants[variant]?.[kind];
  const rows = windows.map((w) => ({
    start: w.start,
    treatment: variantHealth(pick(w, plan.treatmentVariant, 'decision')),
    control: variantHealth(pick(w, plan.baselineVariant, 'decision')),
    all: {
      treatment: variantHealth(pick(w, plan.treatmentVariant, 'display')),
      control: variantHealth(pick(w, plan.baselineVariant, 'display')),
    },
  }));
  let sprt: Health['sprt'] = null;
  let decision: Health['now'] = null;
  if (isLive(plan.status) && plan.stageStartedAt !== null) {
    const decided = decideStage({
      stage,
      settings: plan.settings,
      stageIndex: plan.currentStage,
      lastStage: plan.currentStage === plan.stages.length - 1,
      elapsedMs: Math.max(0, now - plan.stageStartedAt),
      stageStartedAt: plan.stageStartedAt,
      windows: windows.map((w) => ({
        start: w.start,
        treatment: pick(w, plan.treatmentVariant, 'decision') ?? emptyAggregate(),
        control: pick(w, plan.baselineVariant, 'decision') ?? emptyAggregate(),
      })),
      approved,
    });
    const s = decided.evidence.sprt;
    sprt = { llr: s.llr, upper: s.upper, lower: s.lower, status: s.status, ratio: s.ratio, ratioInterval: s.ratioInterval };
    decision = { action: decided.action, rule: decided.rule };
  }
  return {
    windowSeconds: plan.settings.windowSeconds,
    windows: rows,
    thresholds: {
      ...stage.checks,
      detectRatio: ratioToDetect(stage, plan.settings),
      minSamples: stage.minSamples,
      minDurationSeconds: stage.minDurationSeconds,
    },
    sprt,
    now: decision,
  };
}
