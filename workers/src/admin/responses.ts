import type { ErrorCode, Reason } from '@edgeflags/core';
import { FlagDefinitionSchema } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';
import { AdminToken, AuditEntry, Environment, Flag, FlagEnvironmentConfig, RecentContext, SdkKey, SegmentRecord } from './row-schemas.ts';
import { Variants } from './schemas.ts';

// What every admin route answers with 200: the OpenAPI response schemas, and what `hc<AppType>`
// types answers as. Rows come from row-schemas.ts; these are the envelopes around them.

const Count = z.int().nonnegative();
const Secret = z.string().openapi({ description: 'The secret itself: shown this once, only its SHA-256 is stored' });

// ── flags ────────────────────────────────────────────────────────────────────────────────────

/** One environment's state in the flags list: counts instead of the targeting itself. */
export const FlagEnvironmentSummary = FlagEnvironmentConfig.pick({
  enabled: true,
  version: true,
  offVariant: true,
  defaultServe: true,
  updatedAt: true,
})
  .extend({ rules: Count, targets: Count, prerequisites: Count })
  .openapi('FlagEnvironmentSummary');

/** A live flag with a summary of its state in every environment, by environment key. */
export const FlagSummary = Flag.extend({ environments: z.record(z.string(), FlagEnvironmentSummary) }).openapi('FlagSummary');

export const FlagList = z.object({ flags: z.array(FlagSummary) }).openapi('FlagList');

/** A flag with its stored configuration in every environment, by environment key. */
export const FlagDetail = Flag.extend({ environments: z.record(z.string(), FlagEnvironmentConfig) }).openapi('FlagDetail');

/** The new flag, its off variant, and the environments it was created (off) in. */
export const FlagCreated = Flag.extend({ offVariant: z.string(), environments: z.array(z.string()) }).openapi('FlagCreated');

export const FlagArchived = z.object({ key: z.string(), archived: z.literal(true) }).openapi('FlagArchived');

// ── targeting ────────────────────────────────────────────────────────────────────────────────

/** A flag as SDKs evaluate it in one environment (an entry of the snapshot). */
export const FlagDefinition = z
  .object({ ...FlagDefinitionSchema.shape, variants: Variants, version: z.int().nonnegative() })
  .openapi('FlagDefinition');

/** A saved configuration change: the new definition, the snapshot it is in, how far it was pushed. */
export const ConfigWriteResult = z
  .object({
    flag: z.string(),
    environment: z.string(),
    config: FlagDefinition,
    snapshotVersion: z.int(),
    delivered: Count.openapi({ description: 'SDK streams the hub pushed the new snapshot to' }),
  })
  .openapi('ConfigWriteResult');

// ── environments and segments ────────────────────────────────────────────────────────────────

export const EnvironmentList = z.object({ environments: z.array(Environment) }).openapi('EnvironmentList');

export const EnvironmentCreated = Environment.pick({ key: true, name: true, production: true }).openapi('EnvironmentCreated');

/** Live streams of an environment's hub and how far its recent publishes reached. */
export const HubStats = z
  .object({
    version: z.int().openapi({ description: 'Latest snapshot version the hub published (0: none yet)' }),
    connections: z.object({ server: Count, client: Count, ofrep: Count, admin: Count }),
    recent: z.array(
      z.object({
        version: z.int(),
        publishedAt: z.int(),
        sent: Count,
        acked: Count,
        lastAckMs: z.number().nullable().openapi({ description: 'From publish to the latest ack; null until someone acks' }),
      }),
    ),
  })
  .openapi('HubStats');

const REASONS = ['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR'] as const satisfies readonly Reason[];
const ERROR_CODES = [
  'FLAG_NOT_FOUND',
  'TYPE_MISMATCH',
  'PARSE_ERROR',
  'INVALID_CONTEXT',
  'TARGETING_KEY_MISSING',
  'GENERAL',
] as const satisfies readonly ErrorCode[];

const Value = z.unknown().openapi({ description: 'The variant value (any JSON of the flag kind)' });

/** One flag evaluated for one context, with the reason. */
export const EvaluationResult = z
  .object({
    key: z.string(),
    value: Value,
    variant: z.string().optional(),
    reason: z.enum(REASONS),
    errorCode: z.enum(ERROR_CODES).optional(),
    errorMessage: z.string().optional(),
    ruleIndex: z.int().optional(),
    ruleId: z.string().optional(),
    targetIndex: z.int().optional(),
    prerequisite: z.string().optional(),
  })
  .openapi('EvaluationResult');

export const ContextEvaluation = z
  .object({ version: z.int(), results: z.record(z.string(), EvaluationResult) })
  .openapi('ContextEvaluation');

export const SegmentList = z.object({ segments: z.array(SegmentRecord) }).openapi('SegmentList');

export const SegmentDeleted = z
  .object({ deleted: z.string(), previousVersion: z.int().openapi({ description: 'Snapshot version before the deletion' }) })
  .openapi('SegmentDeleted');

// ── keys and tokens ──────────────────────────────────────────────────────────────────────────

export const SdkKeyList = z.object({ keys: z.array(SdkKey) }).openapi('SdkKeyList');

export const SdkKeyCreated = SdkKey.extend({ revokedAt: z.null(), secret: Secret }).openapi('SdkKeyCreated');

export const AdminTokenList = z.object({ tokens: z.array(AdminToken) }).openapi('AdminTokenList');

export const AdminTokenCreated = AdminToken.extend({ revokedAt: z.null(), secret: Secret }).openapi('AdminTokenCreated');

// ── audit and insights ───────────────────────────────────────────────────────────────────────

export const AuditPage = z
  .object({
    entries: z.array(AuditEntry),
    next: z.int().nullable().openapi({ description: 'Pass as `before` for the next page; null on the last one' }),
  })
  .openapi('AuditPage');

export const Exposures = z
  .object({
    environment: z.string(),
    since: z.int().openapi({ description: 'Start of the first hour counted, epoch ms' }),
    flags: z.record(z.string(), z.record(z.string(), Count)).openapi({ description: 'flag key → variant → exposures' }),
  })
  .openapi('Exposures');

export const RecentContexts = z.object({ environment: z.string(), contexts: z.array(RecentContext) }).openapi('RecentContexts');

const Brief = EvaluationResult.pick({ value: true, variant: true, reason: true });

/** How many recently seen contexts a proposed configuration would change, with examples. */
export const Impact = z
  .object({
    flag: z.string(),
    environment: z.string(),
    sampled: Count,
    changed: Count,
    examples: z.array(z.object({ contextKey: z.string(), context: RecentContext.shape.context, before: Brief, after: Brief })),
  })
  .openapi('Impact');
