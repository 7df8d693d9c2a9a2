import type { ErrorCode, Reason } from '@edgeflags/core';
import { FlagDefinitionSchema } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';
import { FlagLifecycle } from '../lifecycle/lifecycle-schemas.ts';
import { AdminToken, AuditEntry, Environment, Flag, FlagEnvironmentConfig, RecentContext, SdkKey, SegmentRecord } from './row-schemas.ts';
import { Variants } from './schemas.ts';

// What every admin route answers with 200: the OpenAPI response schemas, and what `hc<AppType>`
// types answers as. Rows come from row-schemas.ts; these are the envelopes around them.

const Count = z.int().nonnegative();

/** Every committed write says whether it reached the edge (docs/delivery.md); never a 500 for that. */
export const DeliveryState = z.enum(['delivered', 'pending']).openapi('DeliveryState', {
  description:
    '`delivered`: the hub serves the new snapshot (pushed to every stream; edges revalidate within a second) and KV has it or gets it within a second. ' +
    '`pending`: committed and audited, not yet delivered; retried until it is (environments list: deliveryPendingSince, deliveryError)',
});
const Delivery = { delivery: DeliveryState };
/** One environment's delivery: the snapshot version committed, its state, the streams reached. */
const EnvironmentDelivery = {
  snapshotVersion: z.int().nullable().openapi({ description: 'The snapshot version committed; null only if D1 could not be read back' }),
  delivery: DeliveryState,
  delivered: Count.openapi({ description: 'SDK streams the hub pushed the new snapshot to' }),
};
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
  .extend({ rules: Count, targets: Count, prerequisites: Count, lifecycle: FlagLifecycle })
  .openapi('FlagEnvironmentSummary');

/** A live flag with a summary of its state in every environment, by environment key. */
export const FlagSummary = Flag.extend({ environments: z.record(z.string(), FlagEnvironmentSummary) }).openapi('FlagSummary');

export const FlagList = z.object({ flags: z.array(FlagSummary) }).openapi('FlagList');

/** A flag with its stored configuration in every environment, by environment key. */
export const FlagDetail = Flag.extend({
  environments: z.record(z.string(), FlagEnvironmentConfig.extend({ lifecycle: FlagLifecycle })),
}).openapi('FlagDetail');

/** The new flag, its off variant, and the environments it was created (off) in. */
export const FlagCreated = Flag.extend({ offVariant: z.string(), environments: z.array(z.string()), ...Delivery }).openapi('FlagCreated');

/** The stored flag after a metadata write; `delivery` covers every environment it changed. */
export const FlagWritten = Flag.extend(Delivery).openapi('FlagWritten');

export const FlagArchived = z.object({ key: z.string(), archived: z.literal(true), ...Delivery }).openapi('FlagArchived');

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
    ...EnvironmentDelivery,
  })
  .openapi('ConfigWriteResult');

// ── environments and segments ────────────────────────────────────────────────────────────────

export const EnvironmentList = z.object({ environments: z.array(Environment) }).openapi('EnvironmentList');

export const EnvironmentCreated = Environment.pick({ key: true, name: true, production: true })
  .extend(EnvironmentDelivery)
  .openapi('EnvironmentCreated');

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

/** A saved segment and how far the environment's new snapshot reached. */
export const SegmentSaved = SegmentRecord.extend(EnvironmentDelivery).openapi('SegmentSaved');

export const SegmentDeleted = z
  .object({
    deleted: z.string(),
    previousVersion: z.int().openapi({ description: 'Snapshot version before the deletion' }),
    ...EnvironmentDelivery,
  })
  .openapi('SegmentDeleted');

// ── keys and tokens ──────────────────────────────────────────────────────────────────────────

export const SdkKeyList = z.object({ keys: z.array(SdkKey) }).openapi('SdkKeyList');

export const SdkKeyCreated = SdkKey.extend({ revokedAt: z.null(), secret: Secret }).openapi('SdkKeyCreated');

export const AdminTokenList = z.object({ tokens: z.array(AdminToken) }).openapi('AdminTokenList');

export const AdminTokenCreated = AdminToken.extend({ revokedAt: z.null(), secret: Secret }).openapi('AdminTokenCreated');

/** Revocation answers how many open streams of the key its hub(s) ended (null: a hub was unreachable). */
const StreamsClosed = z
  .int()
  .nullable()
  .openapi({ description: 'Open streams of the key ended at once; null when a hub could not be reached' });
export const SdkKeyRevoked = SdkKey.extend({ streamsClosed: StreamsClosed }).openapi('SdkKeyRevoked');
export const AdminTokenRevoked = AdminToken.extend({ streamsClosed: StreamsClosed }).openapi('AdminTokenRevoked');
/** Rotation: the replacement (its secret shown this once) and the key it replaces, now expiring. */
export const SdkKeyRotated = SdkKeyCreated.extend({ replaced: SdkKey }).openapi('SdkKeyRotated');
export const AdminTokenRotated = AdminTokenCreated.extend({ replaced: AdminToken }).openapi('AdminTokenRotated');

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
    sources: Count.openapi({
      description: 'Distinct callers the sample came from (server keys, hashed client IPs); each holds a capped share (docs/events.md)',
    }),
    changed: Count,
    examples: z.array(z.object({ contextKey: z.string(), context: RecentContext.shape.context, before: Brief, after: Brief })),
  })
  .openapi('Impact');
