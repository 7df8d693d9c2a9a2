import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { METADATA_FIELDS } from '../auth/route-policy.ts';
import { db, statement } from '../db.ts';
import { notFound } from '../errors.ts';
import { auditStatement } from './audit.ts';
import { staleVersion } from './conflicts.ts';
import { checkWritePolicies } from './write-policies.ts';

type FlagRow = typeof flags.$inferSelect;

/**
 * The fields a flag-level revert restores: those that describe a flag without changing what any
 * environment serves (route-policy.ts METADATA_FIELDS). Variants, client visibility and the
 * protective state are served everywhere; they change through PATCH /flags/{key}, with its checks.
 */
const RESTORED = [...METADATA_FIELDS].filter((f) => f !== 'version' && f !== 'reason') as (keyof FlagRow)[];

/**
 * A flag's metadata back to what audit entry `toAuditId` (a change of this flag) left: guarded by
 * the flag's version, checked by the write policies, audited as flag.revert. Nothing is published:
 * no snapshot carries these fields.
 */
export async function revertFlagMetadata(c: Context<AppEnv>, key: string, toAuditId: number, expected: number, reason?: string) {
  const flag = await db(c.env).select().from(flags).where(eq(flags.key, key)).get();
  if (!flag || flag.archivedAt !== null) throw notFound(`flag "${key}"`);
  const entry = await c.env.DB.prepare(`SELECT after FROM audit_log WHERE id = ? AND resource_type = 'flag' AND resource_key = ?`)
    .bind(toAuditId, key)
    .first<{ after: string | null }>();
  if (!entry?.after) throw notFound(`audit entry ${toAuditId} of flag "${key}" (a change of the flag itself)`);
  const old = JSON.parse(entry.after) as Partial<FlagRow>;
  const changes = Object.fromEntries(RESTORED.filter((f) => f in old && f in flag).map((f) => [f, old[f]])) as Partial<FlagRow>;
  const updatedAt = Date.now();
  const after: FlagRow = { ...flag, ...changes, version: flag.version + 1, updatedAt };
  const sent = Object.keys(changes);
  await checkWritePolicies(c, { action: 'flag.revert', resourceKey: key, protective: false, flag: { before: flag, after, sent } });
  if (expected !== flag.version) throw staleVersion(`flag "${key}"`, flag.version, expected);
  const d = db(c.env);
  const results = await c.env.DB.batch([
    statement(
      c.env.DB,
      d
        .update(flags)
        .set({ ...changes, version: flag.version + 1, updatedAt })
        .where(and(eq(flags.key, key), eq(flags.version, flag.version))),
    ),
    auditStatement(
      c.env.DB,
      {
        actor: c.get('actor'),
        action: 'flag.revert',
        resourceType: 'flag',
        resourceKey: key,
        before: flag,
        after,
        reason: reason ?? `revert to audit entry ${toAuditId}`,
      },
      true,
    ),
  ]);
  if (results[0]?.meta.changes !== 1) throw staleVersion(`flag "${key}"`);
  return { ...after, delivery: 'delivered' as const };
}
