import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { actorLabel } from '../auth/actor-label.ts';
import { publishForRequest } from '../snapshot/publish.ts';

/**
 * The environments a fresh deployment starts with. Without them the admin app has nothing to
 * pick and every flag page waits on an environment that never comes (issue 12 §2); a team that
 * wants others renames nothing — it creates its own and ignores these.
 */
export const DEFAULT_ENVIRONMENTS = [
  { key: 'development', name: 'Development', production: false },
  { key: 'staging', name: 'Staging', production: false },
  { key: 'production', name: 'Production', production: true },
] as const;

const EMPTY = 'NOT EXISTS (SELECT 1 FROM environments)';
const AUDIT = `INSERT INTO audit_log (actor, action, resource_type, resource_key, environment, before, after, reason)
  SELECT ?, 'environment.create', 'environment', ?, NULL, NULL, ?, 'first run: default environments' WHERE ${EMPTY}`;
const INSERT = `INSERT INTO environments (key, name, production, sort_order, snapshot_version)
  SELECT value ->> '$.key', value ->> '$.name', value ->> '$.production', key, 1 FROM json_each(?) WHERE ${EMPTY}`;

/**
 * Creates the default environments if, and only if, there are none. One D1 batch (a single
 * transaction, and D1 runs one writer at a time): every statement is guarded by "the table is
 * empty", so of two concurrent first requests the second finds rows and inserts nothing — no
 * duplicates, no half set, and a deployment whose environments were all made by hand is never
 * touched. Returns the keys it created (empty when it did nothing).
 */
export async function ensureDefaultEnvironments(c: Context<AppEnv>): Promise<string[]> {
  const db = c.env.DB;
  const actor = c.get('actor');
  const who = actor ? actorLabel(actor) : 'first run';
  const rows = DEFAULT_ENVIRONMENTS.map((e) => ({ ...e, production: e.production ? 1 : 0 }));
  const results = await db.batch([
    ...DEFAULT_ENVIRONMENTS.map((e) => db.prepare(AUDIT).bind(who, e.key, JSON.stringify(e))),
    db.prepare(INSERT).bind(JSON.stringify(rows)),
  ]);
  if ((results.at(-1)?.meta.changes ?? 0) === 0) return [];
  // Each new environment gets its (empty) snapshot delivered now, so SDKs pointed at it get an
  // answer rather than a missing snapshot; a failed delivery is retried like any write's.
  for (const e of DEFAULT_ENVIRONMENTS) await publishForRequest(c, e.key, []);
  return DEFAULT_ENVIRONMENTS.map((e) => e.key);
}
