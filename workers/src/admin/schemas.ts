import { AttributeName, JsonValueSchema, Key, PrerequisiteSchema, RuleSchema, ServeSchema, TargetSchema } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';

/** Request bodies of the admin API: the API truth, and the source of the OpenAPI document. */

export const FLAG_TYPES = ['release', 'ops', 'experiment', 'permission', 'migration'] as const;

const Reason = z.string().max(500).optional().openapi({ description: 'Why, for the audit log' });

export const FlagMetadata = z.strictObject({
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  owner: z.string().max(200).optional(),
  type: z.enum(FLAG_TYPES).optional(),
  expiresAt: z.iso.date().nullable().optional().openapi({ description: 'Release flags should expire (YYYY-MM-DD)' }),
  primaryMetric: z
    .string()
    .max(200)
    .nullable()
    .optional()
    .openapi({ description: 'What an experiment is judged on (the experiment policy requires it)' }),
  // Links are rendered as anchors in the admin app: javascript:, data: or vbscript: would run there.
  links: z
    .array(z.url({ protocol: /^https?$/, error: 'links must be http(s) URLs' }).max(500))
    .max(10)
    .optional(),
  clientVisible: z.boolean().optional().openapi({ description: 'Client keys (browsers) may see its evaluated value' }),
  protectiveState: z.enum(['off', 'on']).optional().openapi({
    description: 'The emergency state (default off; on for e.g. a maintenance switch): switching into it needs no version',
  }),
});

// JSON values are recursive, which the OpenAPI generator cannot walk: document them as
// "any JSON" and check them with the core schema instead.
export const Variants = z
  .record(z.string().min(1).max(100), z.unknown().openapi({ description: 'Any JSON value of the flag kind' }))
  .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 50, 'between 1 and 50 variants')
  .refine((v) => Object.values(v).every((x) => JsonValueSchema.safeParse(x).success), 'variant values must be JSON');

export const FlagCreate = FlagMetadata.extend({
  key: Key,
  kind: z.enum(['boolean', 'string', 'number', 'json']),
  variants: Variants.optional().openapi({ description: 'Defaults to { on: true, off: false } for booleans' }),
  offVariant: z.string().optional(),
  reason: Reason,
}).openapi('FlagCreate');

export const FlagPatch = FlagMetadata.extend({
  variants: Variants.optional().openapi({
    description: 'New values, or variants added or removed; every environment must still resolve what it serves',
  }),
  version: z.number().int().optional(),
  reason: Reason,
}).openapi('FlagPatch');

export const ConfigPut = z
  .strictObject({
    enabled: z.boolean(),
    offVariant: z.string(),
    prerequisites: z.array(PrerequisiteSchema).max(20).default([]),
    targets: z.array(TargetSchema).max(100).default([]),
    rules: z.array(RuleSchema).max(200).default([]),
    defaultServe: ServeSchema,
    bucketBy: AttributeName.nullable().optional(),
    // A configuration read with GET can be sent back: its `scheduledSwitch: null` is accepted. A
    // pending switch is set only through a change request (docs/change-requests.md), never here.
    scheduledSwitch: z.null().optional().openapi({ description: 'Read only: null (switches are set by change requests)' }),
    version: z.number().int().optional().openapi({ description: 'Expected current version (or send If-Match)' }),
    reason: Reason,
  })
  .openapi('FlagConfig');

export const Toggle = z
  .strictObject({
    enabled: z.boolean(),
    version: z.number().int().optional().openapi({ description: 'Needed unless `enabled` is the flag’s protective state' }),
    reason: Reason,
  })
  .openapi('Toggle');

/** Un-archive: the archived flag's version (or If-Match). */
export const FlagRestore = z.strictObject({ version: z.number().int().optional(), reason: Reason }).openapi('FlagRestore');

/** Archive and segment deletion take their version in If-Match or `?version=` (DELETE has no body). */
export const DeleteQuery = z.object({
  version: z.coerce.number().int().optional().openapi({ description: 'Expected current version (or send If-Match)' }),
  reason: z.string().max(500).optional().openapi({ description: 'Why, for the audit log' }),
});

export const Rollout = z
  .strictObject({
    percentage: z
      .number()
      .min(0)
      .max(100)
      .refine((p) => Number.isInteger(Math.round(p * 1000)) && Math.abs(p * 1000 - Math.round(p * 1000)) < 1e-6, 'at most three decimals'),
    variant: z.string().optional().openapi({ description: 'Variant rolled out; "on" or the first non-off variant by default' }),
    bucketBy: AttributeName.optional(),
    version: z.number().int().optional(),
    reason: Reason,
  })
  .openapi('Rollout');

export const SegmentPut = z
  .strictObject({
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    attribute: AttributeName.optional(),
    included: z.array(z.string().min(1).max(256)).max(10_000).optional(),
    excluded: z.array(z.string().min(1).max(256)).max(10_000).optional(),
    rules: z.array(z.array(RuleSchema.shape.conditions.element).max(50)).max(100).optional(),
    version: z.number().int().optional(),
    reason: Reason,
  })
  .openapi('Segment');

export const EnvironmentCreate = z
  .strictObject({ key: Key, name: z.string().min(1).max(100), production: z.boolean().default(false), reason: Reason })
  .openapi('EnvironmentCreate');

/** Optional expiry of a key or token: epoch ms, in the future (422 otherwise). */
const ExpiresAt = z
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: 'Epoch ms after which the key is refused and its streams end' });

/** A key's rate-limit tier (docs/scale.md "Rate limits"): fixed bindings, so a choice, not numbers. */
export const RateTier = z.enum(['standard', 'high']).openapi('RateTier', {
  description:
    'standard: server keys 10,000 per 10 s per location, client keys 6,000 a minute per caller; high: five times that (same periods). Per budget (evaluation, events, streams, refetches)',
});

export const SdkKeyCreate = z
  .strictObject({
    kind: z.enum(['server', 'client']),
    environment: Key,
    name: z.string().min(1).max(100),
    expiresAt: ExpiresAt,
    rateTier: RateTier.default('standard'),
  })
  .openapi('SdkKeyCreate');

/** What can change on a live SDK key: its rate-limit tier. */
export const SdkKeyPatch = z.strictObject({ rateTier: RateTier }).openapi('SdkKeyPatch');

export const AdminTokenCreate = z
  .strictObject({
    name: z.string().min(1).max(100),
    role: z.enum(['viewer', 'editor', 'admin']),
    productionAccess: z.boolean().default(true),
    expiresAt: ExpiresAt,
    owner: z.email().max(200).optional().openapi({
      description: 'The person (email) the token acts for; a person signed in through Access owns what they create (docs/identity.md)',
    }),
  })
  .openapi('AdminTokenCreate');

/** Rotation: a new secret now; the old one keeps working for `overlapSeconds`, then expires. */
export const KeyRotate = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(24 * 3600)
      .openapi({ description: 'How long the old secret keeps working (0: ends now); default one day, at most 30 days' }),
    expiresAt: ExpiresAt,
  })
  .openapi('KeyRotate');

export const AuditQuery = z.object({
  flag: z.string().optional(),
  actor: z.string().optional(),
  environment: z.string().optional(),
  since: z.coerce.number().int().optional().openapi({ description: 'Epoch ms, inclusive' }),
  until: z.coerce.number().int().optional().openapi({ description: 'Epoch ms, exclusive' }),
  before: z.coerce.number().int().optional().openapi({ description: 'Cursor: entries with a smaller id' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const KeyParam = z.object({ key: Key });
export const FlagEnvParams = z.object({ key: Key, env: Key });
export const EnvParam = z.object({ env: Key });
export const EnvSegmentParams = z.object({ env: Key, segment: Key });
export const IdParam = z.object({ id: z.string().uuid() });
export { ServeSchema };
