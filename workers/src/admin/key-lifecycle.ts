// What happens to a key or token after it is minted: rotation with an overlap window, and the
// end of its streams. A stream outlives every cache, so ending a key is not finished when D1
// says so: the environment's hub (every hub, for an admin token) ends the open streams, at once
// for a revocation and at the end of the overlap for a rotation.

import type { Context } from 'hono';
import { environments } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { hintOf, newId, newSecret, type SecretKind, sha256Hex } from '../auth/secrets.ts';
import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { auditStatement } from './audit.ts';

export type KeyType = 'sdk_key' | 'admin_token';

const TABLE: Record<KeyType, string> = { sdk_key: 'sdk_keys', admin_token: 'admin_tokens' };
/** Columns the replacement inherits from the key it replaces. */
const INHERITED: Record<KeyType, string> = { sdk_key: 'kind, environment, name, rate_tier', admin_token: 'name, role, production_access' };
/**
 * Columns the rotator may decide, `?` being the value bound (null: inherited). A token's owner is
 * whoever rotates it, when that is a person: they hold the new secret, so the audit log must not
 * name the previous owner for what they do with it (docs/identity.md).
 */
const DECIDED: Record<KeyType, { cols: string; values: string }> = {
  sdk_key: { cols: '', values: '' },
  admin_token: { cols: ', owner', values: ', coalesce(?, owner)' },
};
const LABEL: Record<KeyType, string> = { sdk_key: 'SDK key', admin_token: 'admin token' };

/** A key row as the admin API shows it (never the hash). */
interface KeyRow {
  id: string;
  name: string;
  hint: string;
  createdAt: number;
  revokedAt: number | null;
  expiresAt: number | null;
  replacedBy: string | null;
  environment?: string;
  kind?: 'server' | 'client';
}

/** Expiry given on create or rotate must lie ahead: a key born expired is a mistake, not a key. */
export function assertFutureExpiry(expiresAt: number | undefined, now = Date.now()): void {
  if (expiresAt !== undefined && expiresAt <= now) {
    throw new ApiError(422, 'rule_violation', `expiresAt must be in the future (now is ${now}, got ${expiresAt})`);
  }
}

/** Why `before` cannot be rotated, or nothing when it can. */
function assertRotatable(type: KeyType, before: KeyRow | undefined, id: string, now: number): asserts before is KeyRow {
  if (!before || before.revokedAt !== null) throw new ApiError(404, 'not_found', `${LABEL[type]} ${id} not found or revoked`);
  if (before.expiresAt !== null && before.expiresAt <= now) throw new ApiError(404, 'not_found', `${LABEL[type]} ${id} has expired`);
  if (before.replacedBy !== null) {
    throw new ApiError(409, 'already_exists', `${LABEL[type]} ${id} was already rotated to ${before.replacedBy}; rotate that one instead`);
  }
}

/**
 * Mints the replacement of `before` and sets the old one to expire after the overlap, in one
 * batch guarded on the old key still being live and unreplaced (two rotations: one wins, one
 * 409). The new secret is returned once; the old key's streams end when its overlap does.
 */
export async function rotate<T extends KeyRow>(
  c: Context<AppEnv>,
  type: KeyType,
  id: string,
  before: T | undefined,
  body: { overlapSeconds: number; expiresAt?: number | undefined },
) {
  const now = Date.now();
  assertRotatable(type, before, id, now);
  assertFutureExpiry(body.expiresAt, now);
  const kind: SecretKind = type === 'admin_token' ? 'admin' : (before.kind ?? 'server');
  const secret = newSecret(kind);
  const replacement = {
    id: newId(),
    hash: await sha256Hex(secret),
    hint: hintOf(secret),
    createdAt: now,
    expiresAt: body.expiresAt ?? null,
  };
  const oldExpiresAt = Math.min(before.expiresAt ?? Number.MAX_SAFE_INTEGER, now + body.overlapSeconds * 1000);
  const replaced = { ...before, replacedBy: replacement.id, expiresAt: oldExpiresAt };
  const live = 'id = ? AND revoked_at IS NULL AND replaced_by IS NULL AND (expires_at IS NULL OR expires_at > ?)';
  const table = TABLE[type];
  const cols = INHERITED[type];
  const decided = DECIDED[type];
  const owner = type === 'admin_token' ? (c.get('actor').person?.email ?? null) : undefined;
  const [inserted] = await c.env.DB.batch([
    c.env.DB.prepare(
      `INSERT INTO ${table} (id, hash, hint, created_at, expires_at, ${cols}${decided.cols}) SELECT ?, ?, ?, ?, ?, ${cols}${decided.values} FROM ${table} WHERE ${live}`,
    ).bind(
      ...[replacement.id, replacement.hash, replacement.hint, now, replacement.expiresAt],
      ...(owner === undefined ? [] : [owner]),
      id,
      now,
    ),
    c.env.DB.prepare(`UPDATE ${table} SET replaced_by = ?, expires_at = ? WHERE ${live}`).bind(replacement.id, oldExpiresAt, id, now),
    auditStatement(
      c.env.DB,
      {
        actor: c.get('actor'),
        action: `${type}.rotate`,
        resourceType: type,
        resourceKey: id,
        environment: before.environment ?? null,
        before,
        after: replaced,
      },
      true,
    ),
  ]);
  if (inserted?.meta.changes !== 1)
    throw new ApiError(409, 'version_conflict', `${LABEL[type]} ${id} changed while rotating; read it again`);
  const { hash: _hash, ...visible } = replacement;
  const created = { ...before, ...visible, ...(owner ? { owner } : {}), revokedAt: null, replacedBy: null, secret };
  return { created, replaced, endsAt: oldExpiresAt };
}

/**
 * Ends a key's streams in the hubs of `environmentKeys`, at `at` (now: at once). Returns how
 * many streams ended now, or null when a hub could not be told: the key is refused anyway, and
 * its open streams then end on their next reconnect.
 */
export async function endKeyStreams(env: Env, keyId: string, environmentKeys: string[], at = Date.now()): Promise<number | null> {
  const results = await Promise.allSettled(environmentKeys.map((key) => env.HUB.getByName(key).closeKey(keyId, at)));
  let closed = 0;
  for (const result of results) {
    if (result.status === 'rejected') {
      console.error('closeKey failed', keyId, result.reason);
      return null;
    }
    closed += result.value.closed;
  }
  return closed;
}

/**
 * How far back the cron tells hubs again about keys that ended. A hub that could not be told at
 * the revocation (the answer said `streamsClosed: null`) or the rotation would otherwise keep the
 * key's open streams forever: a second DELETE is a 404, and nothing else reaches that hub.
 */
export const KEY_END_RETRY_MS = 60 * 60 * 1000;

/**
 * The backstop behind `endKeyStreams`, run by the minute cron: every SDK key and admin token
 * revoked or expired within KEY_END_RETRY_MS is closed again in its hubs (`closeKey` is
 * idempotent: a hub that already ended the streams does nothing). Returns how many hub calls failed.
 */
export async function reconcileKeyEnds(env: Env, now = Date.now()): Promise<{ keys: number; failed: number }> {
  const since = now - KEY_END_RETRY_MS;
  const ended = (table: string, environment: string) =>
    env.DB.prepare(
      `SELECT id, ${environment} AS environment, coalesce(revoked_at, expires_at) AS endedAt FROM ${table}
       WHERE revoked_at > ? OR (revoked_at IS NULL AND expires_at > ? AND expires_at <= ?)`,
    )
      .bind(since, since, now)
      .all<{ id: string; environment: string | null; endedAt: number }>();
  const [keys, tokens] = await Promise.all([ended('sdk_keys', 'environment'), ended('admin_tokens', 'NULL')]);
  const everyEnvironment = tokens.results.length > 0 ? await allEnvironmentKeys(env) : [];
  const told = await Promise.all([
    ...keys.results.map((k) => endKeyStreams(env, k.id, [k.environment ?? ''], k.endedAt)),
    ...tokens.results.map((t) => endKeyStreams(env, t.id, everyEnvironment, t.endedAt)),
  ]);
  return { keys: told.length, failed: told.filter((n) => n === null).length };
}

/** Admin tokens hold admin change streams in any environment. */
export async function allEnvironmentKeys(env: Env): Promise<string[]> {
  return (await db(env).select({ key: environments.key }).from(environments)).map((row) => row.key);
}
