import { compilePattern } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';

/** Policy shapes of the admin API (docs/policies.md), apart from the routes and D1 so the admin app can take their types. */

/** The rules by name: the name is in every refusal, the docs and the policy report. */
export const RULES = [
  'naming.pattern',
  'release.owner-required',
  'release.expiry-required',
  'release.production-rollout-needs-plan',
  'experiment.end-date-required',
  'experiment.primary-metric-required',
  'ops.protective-state-required',
  'permission.no-percentage-splits',
  'migration.ordered-stages',
  'migration.one-stage-at-a-time',
] as const;
export type RuleName = (typeof RULES)[number];

/** A variant name standing for a migration stage. */
const StageName = z.string().min(1).max(50);

/** Naming patterns are admin input run on every create: RE2 (linear time) and short. */
const NamingPattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((pattern, ctx) => {
    const compiled = compilePattern(pattern);
    if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled });
  });

/**
 * Per-instance flag policies (docs/policies.md): the naming pattern, enforced at creation, and one
 * policy per flag type, checked on every write for what the write changes. Every field is given in
 * a PUT: what is stored is exactly what is enforced.
 */
export const PolicySettings = z
  .strictObject({
    naming: z.strictObject({
      pattern: NamingPattern.openapi({ description: 'RE2 pattern every new flag key must match (anchor it with ^…$)' }),
      hint: z.string().max(200).openapi({ description: 'The pattern in plain words, shown with a refusal' }),
    }),
    release: z.strictObject({
      ownerRequired: z.boolean(),
      expiryRequired: z.boolean(),
      defaultExpiryDays: z.number().int().min(1).max(3650).nullable().openapi({
        description: 'A release flag created without an expiry expires this many days after creation (null: none given)',
      }),
      productionRolloutNeedsPlan: z.boolean().openapi({
        description: 'A percentage rollout in a production environment goes through a release plan with health checks',
      }),
    }),
    experiment: z.strictObject({ endDateRequired: z.boolean(), primaryMetricRequired: z.boolean() }),
    ops: z.strictObject({ protectiveStateRequired: z.boolean(), neverStale: z.boolean() }),
    permission: z.strictObject({ noPercentageSplits: z.boolean(), neverStale: z.boolean() }),
    migration: z.strictObject({
      stages: z
        .array(StageName)
        .min(2)
        .max(10)
        .refine((s) => new Set(s).size === s.length, 'stage names must differ')
        .openapi({ description: 'A migration flag’s variants, in order' }),
      oneStageAtATime: z.boolean().openapi({ description: 'A write moves the served stage forward at most one step (back: any)' }),
    }),
  })
  .openapi('PolicySettings');
export type Policies = z.infer<typeof PolicySettings>;

export const StoredPolicies = z
  .object({
    policies: PolicySettings,
    defaults: PolicySettings,
    rules: z.array(z.enum(RULES)),
    version: z.number().int().openapi({ description: '0 while the defaults apply; send it back in If-Match or `version`' }),
    updatedAt: z.number().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('Policies');

export const PoliciesPut = z
  .strictObject({
    policies: PolicySettings,
    version: z.number().int().optional().openapi({ description: 'The version you edited (0: the defaults)' }),
    reason: z.string().max(500).optional(),
  })
  .openapi('PoliciesPut');

const Violation = z.object({
  rule: z.enum(RULES),
  path: z.string(),
  message: z.string(),
  environment: z.string().optional(),
});
export const PolicyReport = z
  .object({
    flags: z.array(
      z.object({ key: z.string(), type: z.string(), owner: z.string(), createdAt: z.number(), violations: z.array(Violation) }),
    ),
    counts: z.record(z.string(), z.number()).openapi({ description: 'Flags breaking each rule' }),
  })
  .openapi('PolicyReport');
