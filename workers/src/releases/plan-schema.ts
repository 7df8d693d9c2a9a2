import { z } from '@hono/zod-openapi';

/**
 * A release plan's shape (docs/releases.md). Stages run in order; each raises the rollout to its
 * percentage, then waits until its checks have enough data, its minimum duration has passed and
 * (for `approval: 'manual'`) a person approved leaving it. Durations are seconds, so a whole plan
 * can run in a test.
 */
const Ratio = z.number().positive().max(1000);
const Millis = z.number().positive().max(3_600_000);
const LatencyCheck = z.strictObject({ maxMs: Millis.optional(), maxRatio: Ratio.optional() });

export const StageChecks = z
  .strictObject({
    errorRate: z.strictObject({ max: z.number().min(0).max(1).optional(), maxRatio: Ratio.optional() }).optional(),
    latencyP95: LatencyCheck.optional(),
    latencyP99: LatencyCheck.optional(),
    /** Business events (e.g. `invoice-created`): treatment's rate per request over control's must stay above minRatio. */
    events: z
      .array(z.strictObject({ name: z.string().min(1).max(100), minRatio: z.number().positive().max(1) }))
      .max(10)
      .optional(),
  })
  .openapi('ReleaseStageChecks');

export const Stage = z
  .strictObject({
    percentage: z.number().gt(0).max(100),
    minDurationSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400),
    /** `manual`: after its checks pass, the plan waits for a person to approve leaving this stage. */
    approval: z.enum(['auto', 'manual']).default('auto'),
    /** Requests per variant before the stage may advance (a rollback needs no minimum: see stats). */
    minSamples: z.number().int().min(0).max(10_000_000).default(0),
    checks: StageChecks.default({}),
  })
  .openapi('ReleaseStage');
export type Stage = z.infer<typeof Stage>;
export type StageChecks = z.infer<typeof StageChecks>;

export const ReleaseSettings = z
  .strictObject({
    /** False-rollback rate per release under no change (A/A). */
    alpha: z.number().gt(0).max(0.2).default(0.05),
    /** Chance of rolling back a true `detectRatio` regression. */
    power: z.number().min(0.5).lt(1).default(0.8),
    /** The error-rate ratio (treatment / control) the plan must catch; seed 001's is 2. */
    detectRatio: z.number().gt(1).max(100).default(2),
    /** Length of a metrics window, and how often the conductor decides. */
    windowSeconds: z.number().int().min(1).max(3600).default(60),
    /** Whether browser-sourced metrics (client keys) may drive decisions; they are always shown. */
    browserMetrics: z.boolean().default(false),
    /** The largest share of one window's samples a single caller may contribute. */
    perCallerShare: z.number().gt(0).max(1).default(0.1),
  })
  .openapi('ReleaseSettings');
export type ReleaseSettings = z.infer<typeof ReleaseSettings>;

export const DEFAULT_SETTINGS: ReleaseSettings = ReleaseSettings.parse({});

/** Percentages strictly increasing and ending at 100: raising the rollout only adds users. */
export const Stages = z
  .array(Stage)
  .min(1)
  .max(20)
  .superRefine((stages, ctx) => {
    stages.forEach((s, i) => {
      const prev = stages[i - 1];
      if (prev && s.percentage <= prev.percentage)
        ctx.addIssue({ code: 'custom', path: [i, 'percentage'], message: `must be above the previous stage's ${prev.percentage}%` });
    });
    if (stages.at(-1)?.percentage !== 100)
      ctx.addIssue({ code: 'custom', path: [stages.length - 1, 'percentage'], message: 'the last stage must reach 100%' });
  });

const HOUR = 3600;
const DAY = 24 * HOUR;

export const TEMPLATE_NAMES = ['seed-001', 'seed-003', 'default'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface Template {
  description: string;
  stages: Stage[];
  settings: ReleaseSettings;
}

const errorsAndLatency = (p95Ratio: number): StageChecks => ({
  errorRate: { maxRatio: 2 },
  latencyP95: { maxRatio: p95Ratio },
});

/**
 * Seed 001: 5% → 25% → 50% → 100%, a day at each step, automatic; roll back when treatment's error
 * rate is twice control's, hold while p95 is 20% above control's. Seed 003: 1% → 10% → 25% → 100%
 * with minimum durations, a person approves leaving 1% and going to 100%, halt on a spike.
 */
export const TEMPLATES: Record<TemplateName, Template> = {
  'seed-001': {
    description: '5% → 25% → 50% → 100%, a day each, automatic; rollback at 2× control error rate, hold on p95 +20%',
    stages: [5, 25, 50, 100].map((percentage) => ({
      percentage,
      minDurationSeconds: percentage === 100 ? 0 : DAY,
      approval: 'auto' as const,
      minSamples: 1000,
      checks: errorsAndLatency(1.2),
    })),
    settings: DEFAULT_SETTINGS,
  },
  'seed-003': {
    description: '1% → 10% → 25% → 100% with minimum durations; manual approval to leave 1% and to go to 100%',
    stages: [
      { percentage: 1, minDurationSeconds: 2 * HOUR, approval: 'manual', minSamples: 500, checks: errorsAndLatency(1.2) },
      { percentage: 10, minDurationSeconds: 4 * HOUR, approval: 'auto', minSamples: 1000, checks: errorsAndLatency(1.2) },
      { percentage: 25, minDurationSeconds: DAY, approval: 'manual', minSamples: 1000, checks: errorsAndLatency(1.2) },
      { percentage: 100, minDurationSeconds: 0, approval: 'auto', minSamples: 0, checks: errorsAndLatency(1.2) },
    ],
    settings: DEFAULT_SETTINGS,
  },
  default: {
    description: '10% → 50% → 100%, an hour each, automatic; rollback at 2× control error rate, hold on p95 +25%',
    stages: [10, 50, 100].map((percentage) => ({
      percentage,
      minDurationSeconds: percentage === 100 ? 0 : HOUR,
      approval: 'auto' as const,
      minSamples: 500,
      checks: errorsAndLatency(1.25),
    })),
    settings: DEFAULT_SETTINGS,
  },
};

/**
 * Whether a stage list has a health check that guards a partial rollout (seed 004: release flags
 * reach production only with one). Checks on a 100% stage alone do not count: there is no
 * concurrent control left to compare with, so a plan going straight to 100% would pass vacuously.
 */
export function hasHealthChecks(stages: Stage[]): boolean {
  return stages.some((s) => s.percentage < 100 && Object.values(s.checks).some((check) => check !== undefined));
}
