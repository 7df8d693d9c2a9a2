import { and, eq, isNull } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { sdkKeys } from '../../../drizzle/schema.ts';
import type { AppEnv, SdkKey } from '../app-env.ts';
import { db } from '../db.ts';
import { ApiError } from '../errors.ts';
import { kindOf, presentedSecret, sha256Hex } from './secrets.ts';

/**
 * SDK keys sit on the hot path, so each isolate remembers a lookup for KEY_CACHE_MS: a revoked
 * key keeps working for at most that long in an isolate that has already seen it.
 */
export const KEY_CACHE_MS = 30_000;
const cache = new Map<string, { key: SdkKey | null; at: number }>();

/** SDK key check for routes with effects (streams, events): the rate limit is checked first. */
export function requireSdkKey(...kinds: SdkKey['kind'][]) {
  return sdkKey(kinds, false);
}

/**
 * SDK key check for pure reads (evaluation, snapshots). The rate-limit binding is I/O, so its
 * verdict is awaited alongside the handler rather than before it, and an over-limit request
 * gets its 429 instead of the answer: a read that is thrown away costs only CPU. A read's side
 * effects (a sampled context) wait for `c.get('withinLimit')`.
 */
export function requireSdkKeyForRead(...kinds: SdkKey['kind'][]) {
  return sdkKey(kinds, true);
}

function sdkKey(kinds: SdkKey['kind'][], alongside: boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const secret = presentedSecret(c.req.raw.headers) ?? c.req.query('key');
    if (!secret) throw new ApiError(401, 'unauthorized', 'send an SDK key as "Authorization: Bearer efs_…/efc_…" or "X-API-Key"');
    const kind = kindOf(secret);
    if (kind === 'admin') throw new ApiError(401, 'unauthorized', 'SDK routes take an SDK key (efs_… or efc_…), not an admin token');
    // Server keys are secrets: never accepted in a URL, where logs and referrers would keep them.
    if (kind === 'server' && !presentedSecret(c.req.raw.headers)) throw new ApiError(401, 'unauthorized', 'send server keys in a header');
    const key = await lookup(c.env, secret);
    if (!key) throw new ApiError(401, 'unauthorized', 'unknown or revoked SDK key');
    if (!kinds.includes(key.kind)) throw new ApiError(403, 'forbidden', `this route takes a ${kinds.join(' or ')} key`);
    const verdict = c.env.SDK_RATE_LIMITER.limit({ key: key.id }).then((v) => v.success);
    c.set('sdkKey', key);
    c.set('withinLimit', verdict);
    if (!alongside && !(await verdict)) throw rateLimited();
    await next();
    if (alongside && !(await verdict)) throw rateLimited();
  });
}

const rateLimited = () => new ApiError(429, 'rate_limited', 'too many requests for this key; retry in a minute');

async function lookup(env: AppEnv['Bindings'], secret: string): Promise<SdkKey | null> {
  const hash = await sha256Hex(secret);
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < KEY_CACHE_MS) return hit.key;
  const row = await db(env)
    .select()
    .from(sdkKeys)
    .where(and(eq(sdkKeys.hash, hash), isNull(sdkKeys.revokedAt)))
    .get();
  const key = row ? { id: row.id, kind: row.kind, environment: row.environment } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { key, at: Date.now() });
  return key;
}

/** Drops cached lookups, so a revocation in this isolate takes effect at once. */
export function forgetSdkKeys(): void {
  cache.clear();
}
