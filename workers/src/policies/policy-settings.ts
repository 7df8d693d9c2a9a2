import { compilePattern } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';

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

export const DEFAULT_POLICIES: Policies = {
  naming: { pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', hint: 'kebab-case: lowercase letters and digits in words joined by "-"' },
  release: { ownerRequired: true, expiryRequired: true, defaultExpiryDays: 90, productionRolloutNeedsPlan: true },
  experiment: { endDateRequired: true, primaryMetricRequired: true },
  ops: { protectiveStateRequired: true, neverStale: true },
  permission: { noPercentageSplits: true, neverStale: true },
  migration: { stages: ['old', 'dual-write', 'dual-read', 'new'], oneStageAtATime: true },
};

export const POLICY_SETTING = 'policies';

export interface StoredPolicies {
  policies: Policies;
  /** 0 while the defaults apply (nothing stored): a PUT then sends version 0. */
  version: number;
  updatedAt: number | null;
  updatedBy: string | null;
}

/** The stored policies, or the defaults. A stored value that no longer parses falls back to the defaults rather than blocking writes. */
export async function readPolicies(db: D1Database): Promise<StoredPolicies> {
  const row = await db
    .prepare('SELECT value, version, updated_at AS updatedAt, updated_by AS updatedBy FROM instance_settings WHERE name = ?')
    .bind(POLICY_SETTING)
    .first<{ value: string; version: number; updatedAt: number; updatedBy: string }>();
  if (!row) return { policies: DEFAULT_POLICIES, version: 0, updatedAt: null, updatedBy: null };
  const parsed = PolicySettings.safeParse(JSON.parse(row.value));
  if (!parsed.success) console.warn('stored policies do not parse; the defaults apply', parsed.error.issues[0]);
  return {
    policies: parsed.success ? parsed.data : DEFAULT_POLICIES,
    version: row.version,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

const perRequest = new WeakMap<object, Promise<Policies>>();

/** The policies for this request, read once however many checks ask. */
export function policiesFor(c: Context<AppEnv>): Promise<Policies> {
  let p = perRequest.get(c.req.raw);
  if (!p) {
    p = readPolicies(c.env.DB).then((s) => s.policies);
    perRequest.set(c.req.raw, p);
  }
  return p;
}

/**
 * What a create leaves out that the policies fill in: a migration flag's stages as its variants
 * (a string flag), and a release flag's expiry, so the owner's one decision is the owner.
 */
export function createDefaults(
  p: Policies,
  body: { type?: string | undefined; kind: string; variants?: unknown; expiresAt?: string | null | undefined },
  now: number,
): { variants?: Record<string, string>; expiresAt?: string } {
  const type = body.type ?? 'release';
  const out: { variants?: Record<string, string>; expiresAt?: string } = {};
  if (type === 'migration' && body.variants === undefined && body.kind === 'string')
    out.variants = Object.fromEntries(p.migration.stages.map((s) => [s, s]));
  if (type === 'release' && !body.expiresAt && p.release.defaultExpiryDays !== null)
    out.expiresAt = new Date(now + p.release.defaultExpiryDays * 86_400_000).toISOString().slice(0, 10);
  return out;
}
