import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { adminTokens } from '../../../drizzle/schema.ts';
import type { Actor, AppEnv, Role } from '../app-env.ts';
import { db } from '../db.ts';
import { ApiError } from '../errors.ts';
import { accessConfig, presentedAccessJwt } from './access-jwt.ts';
import { personActor } from './access-person.ts';
import { isWellFormedSecret, kindOf, presentedSecret, sha256Hex } from './secrets.ts';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/**
 * Admin tokens are looked up on every request (no cache) so a revoked token stops at once.
 * `ADMIN_TOKEN` (a Worker secret) is the bootstrap admin that creates the first stored tokens.
 * Without a token, a person signed in through Cloudflare Access (docs/identity.md) when the
 * ACCESS_* vars are set; a token, when sent, wins (CI behind Access sends both).
 * Once per request: the idempotency middleware and the route's access rule share the answer.
 */
export async function authenticate(c: Context<AppEnv>): Promise<Actor> {
  const known = c.get('actor') as Actor | undefined;
  if (known) return known;
  const secret = presentedSecret(c.req.raw.headers);
  // No token: a person signed in through Cloudflare Access, when it is configured.
  const actor = secret ? await tokenActor(c.env, secret) : await accessActor(c);
  c.set('actor', actor);
  return actor;
}

async function tokenActor(env: AppEnv['Bindings'], secret: string): Promise<Actor> {
  if (kindOf(secret) !== 'admin') throw new ApiError(401, 'unauthorized', 'this route takes an admin token (efa_…), not an SDK key');
  const actor = await findActor(env, secret);
  if (!actor) throw new ApiError(401, 'unauthorized', 'unknown, revoked or expired admin token');
  return actor;
}

async function accessActor(c: Context<AppEnv>): Promise<Actor> {
  const config = accessConfig(c.env);
  const jwt = config && presentedAccessJwt(c.req.raw.headers);
  if (!config) throw new ApiError(401, 'unauthorized', 'send an admin token as "Authorization: Bearer efa_…"');
  if (!jwt)
    throw new ApiError(401, 'unauthorized', 'sign in through Cloudflare Access, or send an admin token as "Authorization: Bearer efa_…"');
  assertSameSite(c.req.raw);
  return personActor(c.env, config, jwt);
}

/**
 * Access credentials ride on a cookie, which a browser also sends with requests another site
 * starts (and Access turns it into the header). A write from another site is refused here;
 * tokens are not affected, since no browser attaches them by itself.
 */
function assertSameSite(req: Request): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const site = req.headers.get('sec-fetch-site');
  const origin = req.headers.get('origin');
  const crossOrigin = origin !== null && origin !== new URL(req.url).origin;
  if (site === 'cross-site' || site === 'same-site' || crossOrigin)
    throw new ApiError(403, 'forbidden', 'a write signed in through Cloudflare Access must come from the admin app itself (same origin)');
}

export function assertRole(actor: Actor, minimum: Role): void {
  if (RANK[actor.role] < RANK[minimum])
    throw new ApiError(403, 'forbidden', `this action needs the ${minimum} role; you are ${actor.role}`);
}

/** Reads: an admin token with at least `minimum`. Writes declare their effect with `access` (route-policy.ts). */
export function requireRole(minimum: Role) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    assertRole(await authenticate(c), minimum);
    await next();
  });
  requiredRoles.set(middleware, minimum);
  return middleware;
}

const requiredRoles = new WeakMap<object, Role>();

/** The minimum role a `requireRole` middleware declares (the OpenAPI document lists 403 only above viewer). */
export function requiredRoleOf(handler: unknown): Role | undefined {
  return typeof handler === 'function' ? requiredRoles.get(handler) : undefined;
}

async function findActor(env: AppEnv['Bindings'], secret: string): Promise<Actor | undefined> {
  const hash = await sha256Hex(secret);
  if (env.ADMIN_TOKEN && hash === (await sha256Hex(env.ADMIN_TOKEN))) {
    return {
      id: 'bootstrap',
      name: 'bootstrap admin',
      role: 'admin',
      productionAccess: true,
      person: null,
      token: { id: 'bootstrap', name: 'bootstrap admin' },
    };
  }
  // Junk is refused before D1; expired tokens (set at creation or by a rotation) like revoked ones.
  if (!isWellFormedSecret(secret)) return undefined;
  const live = or(isNull(adminTokens.expiresAt), gt(adminTokens.expiresAt, Date.now()));
  const row = await db(env)
    .select()
    .from(adminTokens)
    .where(and(eq(adminTokens.hash, hash), isNull(adminTokens.revokedAt), live))
    .get();
  if (!row) return undefined;
  // The person a token acts for is its owner; the audit log names them "via token <name>".
  const person = row.owner ? { email: row.owner, name: row.owner } : null;
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    productionAccess: row.productionAccess,
    person,
    token: { id: row.id, name: row.name },
  };
}

/**
 * When a stored admin token expires (null: never, or the bootstrap token). A change stream
 * outlives the request that checked the token, so the hub is told the deadline and ends the
 * stream then, as it does for an expiring SDK key.
 */
export async function adminTokenExpiry(env: AppEnv['Bindings'], id: string): Promise<number | null> {
  const row = await db(env).select({ expiresAt: adminTokens.expiresAt }).from(adminTokens).where(eq(adminTokens.id, id)).get();
  return row?.expiresAt ?? null;
}

/**
 * The production rule: a write that changes what a production environment serves needs
 * production access (admins always have it). Route policies (route-policy.ts) decide which
 * environments a write touches; this decides whether the caller may touch them.
 */
export function assertCanWrite(actor: Actor, environment: { key: string; production: boolean }): void {
  if (actor.role === 'viewer') throw new ApiError(403, 'forbidden', 'viewers cannot change flags');
  if (environment.production && !actor.productionAccess && actor.role !== 'admin') {
    throw new ApiError(403, 'forbidden', `your token may not change the production environment "${environment.key}"`);
  }
}
