import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { type Policies, PolicySettings } from './policy-schemas.ts';

export { type Policies, PolicySettings };

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
