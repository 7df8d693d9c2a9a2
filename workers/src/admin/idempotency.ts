import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../app-env.ts';
import { authenticate } from '../auth/admin-auth.ts';
import { sha256Hex } from '../auth/secrets.ts';
import { ApiError } from '../errors.ts';

/** Answers are kept this long: a CLI or an operator retrying after a timeout does it within a day. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A claim with no answer after this long belongs to a request that died mid-flight (the isolate
 * was evicted); a retry may take it over. Longer than any write takes, with its publish.
 */
export const IN_FLIGHT_MS = 60_000;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Answers that may change when the same request is sent again are not kept: the retry runs. */
const RETRYABLE = (status: number) => status >= 500 || status === 401 || status === 403 || status === 429;

interface Stored {
  request_hash: string;
  status: number;
  body: string;
  created_at: number;
}

/**
 * `Idempotency-Key` on admin writes: the first request with a key claims it (per caller), runs,
 * and stores its answer; a retry with the same key and the same request gets that answer again
 * (`Idempotency-Replayed: true`) without applying anything. The same key with a different
 * request is refused (422 `idempotency_key_reused`); a retry while the first is still running
 * gets 409 `idempotency_conflict`. Without the header a write runs as usual.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined || !WRITES.has(c.req.method)) return next();
  if (!KEY_FORMAT.test(key)) throw new ApiError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  const actor = await authenticate(c);
  const requestHash = await fingerprint(c);
  const now = Date.now();
  const claimed = await claim(c.env.DB, actor.id, key, c.req.method, new URL(c.req.url).pathname, requestHash, now);
  if (!claimed) {
    const stored = await c.env.DB.prepare(
      'SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE actor_id = ? AND key = ?',
    )
      .bind(actor.id, key)
      .first<Stored>();
    if (!stored) throw new ApiError(409, 'idempotency_conflict', 'this Idempotency-Key is being released; retry in a moment');
    if (stored.request_hash !== requestHash)
      throw new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key');
    if (stored.status === 0) {
      if (!matchedRoutes(c).some((r) => twinTolerant.has(r.handler))) throw inFlight();
      // The route decides (the protective move runs: applying it twice is applying it once). The
      // claim stays the first request's, which stores its answer if it is still alive.
      c.set('idempotencyTwin', true);
      return next();
    }
    return new Response(stored.body, {
      status: stored.status,
      headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Idempotency-Replayed': 'true' },
    });
  }
  await next();
  const res = c.res;
  if (RETRYABLE(res.status)) {
    await c.env.DB.prepare('DELETE FROM idempotency_keys WHERE actor_id = ? AND key = ? AND status = 0').bind(actor.id, key).run();
    return;
  }
  try {
    await c.env.DB.prepare('UPDATE idempotency_keys SET status = ?, body = ? WHERE actor_id = ? AND key = ? AND request_hash = ?')
      .bind(res.status, await res.clone().text(), actor.id, key, requestHash)
      .run();
  } catch (e) {
    // The write has answered (and may be committed): it must reach the caller as it is, not as a
    // 503 "nothing was acknowledged". The claim stays in flight; after IN_FLIGHT_MS a retry runs
    // again and meets the version guard (or, for the protective move, finds it done).
    console.warn(`storing the answer for Idempotency-Key "${key}" failed`, e);
  }
});

const inFlight = () =>
  new ApiError(409, 'idempotency_conflict', 'a request with this Idempotency-Key is still running; retry when it has answered');

/** Handlers of routes whose request may run beside its own in-flight twin (see `twinsDecidedByRoute`). */
const twinTolerant = new WeakSet<object>();

/**
 * Route middleware: a retry that finds its Idempotency-Key still claimed (the first request is
 * running, or died without releasing it: a D1 blip after the claim) is let through to the route
 * instead of a 409, and the route calls `refuseInFlightTwin` wherever running twice would not be
 * safe. For the toggle: the protective move is never refused; everything else is.
 */
export function twinsDecidedByRoute(): MiddlewareHandler<AppEnv> {
  const middleware = createMiddleware<AppEnv>((_c, next) => next());
  twinTolerant.add(middleware);
  return middleware;
}

/** 409 `idempotency_conflict` for a request running beside its in-flight twin. */
export function refuseInFlightTwin(c: Context<AppEnv>): void {
  if (c.get('idempotencyTwin')) throw inFlight();
}

/**
 * What makes two requests "the same": method, path, query, preconditions and body, compared as
 * values — a retry that serialises its JSON with keys in another order (or other spacing), or
 * its query parameters in another order, is the same request, not a reused key.
 */
async function fingerprint(c: Context<AppEnv>): Promise<string> {
  const url = new URL(c.req.url);
  url.searchParams.sort();
  const parts = [c.req.method, url.pathname + url.search, c.req.header('if-match') ?? '', c.req.header('if-none-match') ?? ''];
  return sha256Hex(`${parts.join('\n')}\n${canonicalBody(await c.req.text())}`);
}

/** JSON with every object's keys sorted; the raw text when it is not JSON (the route refuses it). */
function canonicalBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), (_key, value: unknown) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : value,
    );
  } catch {
    return text;
  }
}

/**
 * Takes the key if it is free, expired, or abandoned by a request that died (same request only);
 * expired answers of every caller are swept a few at a time on the way.
 */
async function claim(db: D1Database, actorId: string, key: string, method: string, path: string, requestHash: string, now: number) {
  const [, insert] = await db.batch([
    db
      .prepare('DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT 20)')
      .bind(now - IDEMPOTENCY_TTL_MS),
    db
      .prepare(
        `INSERT INTO idempotency_keys (actor_id, key, method, path, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, 0, '', ?)
         ON CONFLICT (actor_id, key) DO UPDATE SET method = excluded.method, path = excluded.path,
           request_hash = excluded.request_hash, status = 0, body = '', created_at = excluded.created_at
         WHERE idempotency_keys.created_at < ?
            OR (idempotency_keys.status = 0 AND idempotency_keys.created_at < ? AND idempotency_keys.request_hash = excluded.request_hash)`,
      )
      .bind(actorId, key, method, path, requestHash, now, now - IDEMPOTENCY_TTL_MS, now - IN_FLIGHT_MS),
  ]);
  return insert?.meta.changes === 1;
}
