import { z } from '@hono/zod-openapi';
import { RELEASE_STATUSES } from '../../../drizzle/schema.ts';
import { ConfigWriteResult } from '../admin/responses.ts';
import { ReleaseSettings, Stage, Stages, TEMPLATE_NAMES } from './plan-schema.ts';

// Request and answer shapes of the release plan API (docs/releases.md, API).

const Reason = z.string().max(500).optional().openapi({ description: 'Why, for the audit log and the release timeline' });
const VariantName = z.string().min(1).max(100);

export const ReleaseCreate = z
  .strictObject({
    template: z.enum(TEMPLATE_NAMES).optional().openapi({ description: 'Stages and settings to start from (default: `default`)' }),
    stages: Stages.optional().openapi({ description: "Replaces the template's stages: percentages strictly increasing, ending at 100" }),
    settings: ReleaseSettings.partial().optional().openapi({ description: "Overrides the template's settings, field by field" }),
    treatmentVariant: VariantName.optional().openapi({
      description: 'The variant released; the first variant that is not the baseline by default',
    }),
    baselineVariant: VariantName.optional().openapi({
      description: "What control (users not yet in) is served, and what a rollback serves; the config's off variant by default",
    }),
    start: z.boolean().optional().openapi({ description: 'Start at once (else it stays a draft)' }),
    reason: Reason,
  })
  .openapi('ReleaseCreate');

/** Start, pause, resume, abort, approve, reject: guarded by the plan's version. Rollback needs none. */
export const ReleaseAction = z
  .strictObject({
    version: z.number().int().optional().openapi({ description: "The plan's version (or If-Match); rollback ignores it" }),
    reason: Reason,
  })
  .openapi('ReleaseAction');

export const ReleaseParams = z.object({ key: z.string(), env: z.string(), id: z.string() });

export const ReleasePlan = z
  .object({
    id: z.string(),
    environment: z.string(),
    flagKey: z.string(),
    status: z.enum(RELEASE_STATUSES),
    treatmentVariant: z.string(),
    baselineVariant: z.string(),
    stages: z.array(Stage),
    settings: ReleaseSettings,
    currentStage: z.int(),
    stageStartedAt: z.number().nullable(),
    startedAt: z.number().nullable(),
    startedBy: z.string().nullable(),
    endedAt: z.number().nullable(),
    endReason: z.string().nullable(),
    version: z.int(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('ReleasePlan');

export const ReleaseDecision = z
  .object({
    id: z.int(),
    at: z.number(),
    stage: z.int(),
    action: z.string(),
    rule: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()).nullable(),
    actor: z.string(),
  })
  .openapi('ReleaseDecision');

export const ReleaseApproval = z
  .object({ id: z.string(), status: z.enum(['pending', 'approved', 'rejected', 'cancelled']), stage: z.int() })
  .nullable()
  .openapi('ReleaseApproval');

const VariantHealth = z.object({
  count: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const ReleaseHealth = z
  .object({
    windowSeconds: z.int(),
    windows: z.array(
      z.object({
        start: z.number(),
        treatment: VariantHealth,
        control: VariantHealth,
        all: z.object({ treatment: VariantHealth, control: VariantHealth }),
      }),
    ),
    thresholds: z.record(z.string(), z.unknown()),
    sprt: z
      .object({
        llr: z.number(),
        upper: z.number(),
        lower: z.number(),
        status: z.string(),
        ratio: z.number().nullable(),
        ratioInterval: z.array(z.number()).nullable(),
      })
      .nullable(),
    now: z.object({ action: z.string(), rule: z.string() }).nullable(),
  })
  .openapi('ReleaseHealth');

export const ReleaseDetail = z
  .object({ plan: ReleasePlan, decisions: z.array(ReleaseDecision), approval: ReleaseApproval, health: ReleaseHealth })
  .openapi('ReleaseDetail');

export const ReleaseList = z.object({ releases: z.array(ReleasePlan) }).openapi('ReleaseList');

/** A plan action's answer: the plan as it is now, and the config write it made (start, resume, rollback). */
export const ReleaseWritten = z.object({ plan: ReleasePlan, write: ConfigWriteResult.nullable() }).openapi('ReleaseWritten');

export const LiveRelease = ReleasePlan.extend({
  lastDecision: z.object({ action: z.string(), rule: z.string().nullable(), at: z.number() }).nullable(),
  /** Earliest the current stage can advance (its minimum duration), ms. */
  nextAt: z.number().nullable(),
}).openapi('LiveRelease');

export const LiveReleaseList = z.object({ releases: z.array(LiveRelease) }).openapi('LiveReleaseList');

export const TemplateList = z
  .object({ templates: z.record(z.string(), z.object({ description: z.string(), stages: z.array(Stage), settings: ReleaseSettings })) })
  .openapi('ReleaseTemplates');
