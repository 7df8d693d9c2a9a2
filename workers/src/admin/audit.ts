import type { AuditResourceType } from '../../../drizzle/schema.ts';
import type { Actor } from '../app-env.ts';
import { actorLabel } from '../auth/actor-label.ts';

export interface AuditEntry {
  actor: Actor;
  action: string;
  resourceType: AuditResourceType;
  resourceKey: string;
  environment?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | undefined;
}

const INSERT =
  'INSERT INTO audit_log (actor, action, resource_type, resource_key, environment, before, after, reason) SELECT ?, ?, ?, ?, ?, ?, ?, ?';

/**
 * An audit insert for the same D1 batch as the write it records. With `guarded`, it only
 * happens if the statement just before it changed exactly one row — the optimistic-concurrency
 * update — so a lost race writes neither the change nor its audit entry.
 */
export function auditStatement(db: D1Database, e: AuditEntry, guarded = false): D1PreparedStatement {
  return db
    .prepare(guarded ? `${INSERT} WHERE changes() = 1` : INSERT)
    .bind(
      actorLabel(e.actor),
      e.action,
      e.resourceType,
      e.resourceKey,
      e.environment ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.reason ?? null,
    );
}

/** Bumps an environment's snapshot version, guarded like the audit entry before it. */
export function bumpStatement(db: D1Database, environment: string, guarded = false): D1PreparedStatement {
  const sql = `UPDATE environments SET snapshot_version = snapshot_version + 1 WHERE key = ?${guarded ? ' AND changes() = 1' : ''}`;
  return db.prepare(sql).bind(environment);
}
