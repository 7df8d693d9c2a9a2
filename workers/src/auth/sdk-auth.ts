import { and, eq, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { environments, sdkKeys } from '../../../drizzle/schema.ts';
import type { AppEnv, SdkKey } from '../app-env.ts';
import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { type Budget, rateLimitPlan, withinRateLimit } from './rate-limit.ts';
import { SdkKeyCache } from './sdk-key-cache.ts';
import { isWellFormedSecret, kindOf, presentedSecret, sha256Hex } from './secrets.ts';

/**
 * SDK keys sit on the hot path, so each isolate remembers a lookup. An isolate that has seen a
 * key re-reads it in the background once its entry is KEY_REVALIDATE_MS old and never serves an
 * entry older than KEY_CACHE_MS: a key revoked or rotated elsewhere stops there within that
 * bound (docs/keys.md). Expiry needs no re-read: the cached key carries its `expiresAt`.
 */
export const KEY_CACHE_MS = 15_000;
export const KEY_REVALIDATE_MS = 5_000;

/** Unknown keys are remembered apart, so a flood of them never evicts a valid key. */
export const sdkKeyCache = new SdkKeyCache<SdkKey>({
  maxKeys: 10_000,
  maxUnknown: 2_000,
  keyTtlMs: KEY_CACHE_MS,
  revalidateAfterMs: KEY_REVALIDATE_MS,
  unknownTtlMs: 60_000,
});

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
    if (!isWellFormedSecret(secret))
      throw new ApiError(401, 'unauthorized', 'malformed SDK key: expected efs_ or efc_ and 32 letters or digits');
    // Server keys are secrets: never accepted in a URL, where logs and referrers would keep them.
    if (kind === 'server' && !presentedSecret(c.req.raw.headers)) throw new ApiError(401, 'unauthorized', 'send server keys in a header');
    const key = await lookupSdkKey(c.env, secret, (work) => c.executionCtx.waitUntil(work));
    if (!key) throw new ApiError(401, 'unauthorized', 'unknown or revoked SDK key');
    if (key.expiresAt !== null && key.expiresAt <= Date.now()) throw new ApiError(401, 'unauthorized', 'this SDK key has expired');
    if (!kinds.includes(key.kind)) throw new ApiError(403, 'forbidden', `this route takes a ${kinds.join(' or ')} key`);
    const plan = rateLimitPlan(c.env, key, budgetOf(c.req.path, c.req.query('refetch')), c.req.raw.headers);
    const verdict = withinRateLimit(plan);
    c.set('sdkKey', key);
    c.set('withinLimit', verdict);
    if (!alongside && !(await verdict)) throw rateLimited(c, plan.retryAfterSeconds);
    await next();
    if (alongside && !(await verdict)) throw rateLimited(c, plan.retryAfterSeconds);
  });
}

/** A 429 says when to come back (every SDK route, OFREP included): the tier's period. */
function rateLimited(c: Context<AppEnv>, seconds: number): ApiError {
  c.header('Retry-After', String(seconds));
  return new ApiError(429, 'rate_limited', `too many requests for this key; retry in ${seconds} s`);
}

/**
 * The route class a request spends (auth/rate-limit.ts): streams, events and metrics, refetches
 * (an evaluation answering a stream's nudge, `?refetch=<id>` with id ≥ 1), else evaluation.
 */
export function budgetOf(path: string, refetch?: string): Budget {
  if (path.endsWith('/stream')) return 'stream';
  if (path.endsWith('/events') || path.endsWith('/metrics')) return 'events';
  // `refetch=0` (an evaluation answering no change) is an ordinary evaluation.
  if (path.endsWith('/evaluate') && refetch !== undefined && /^[1-9]\d{0,14}$/.test(refetch)) return 'refetch';
  return 'evaluate';
}

/** The live key a well-formed secret names, through the isolate cache; null when unknown or revoked. */
export async function lookupSdkKey(
  env: Pick<Env, 'DB'>,
  secret: string,
  defer: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<SdkKey | null> {
  const hash = await sha256Hex(secret);
  return sdkKeyCache.get(hash, defer, now, () => readKey(env, eq(sdkKeys.hash, hash)));
}

/**
 * The key as D1 has it now, with its environment: streams outlive any cache, so opening one
 * reads the key fresh. Null when the key or its environment is gone, revoked or expired.
 */
export async function currentSdkKey(env: Pick<Env, 'DB'>, id: string): Promise<SdkKey | null> {
  const key = await readKey(env, eq(sdkKeys.id, id));
  return key && (key.expiresAt === null || key.expiresAt > Date.now()) ? key : null;
}

async function readKey(env: Pick<Env, 'DB'>, where: ReturnType<typeof eq>): Promise<SdkKey | null> {
  const row = await db(env)
    .select({
      id: sdkKeys.id,
      kind: sdkKeys.kind,
      environment: sdkKeys.environment,
      expiresAt: sdkKeys.expiresAt,
      rateTier: sdkKeys.rateTier,
    })
    .from(sdkKeys)
    .innerJoin(environments, eq(environments.key, sdkKeys.environment))
    .where(and(where, isNull(sdkKeys.revokedAt)))
    .get();
  return row ?? null;
}

/** Drops cached lookups, so a revocation in this isolate takes effect at once. */
export function forgetSdkKeys(): void {
  sdkKeyCache.clear();
}
