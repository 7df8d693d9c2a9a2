import { eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { environments } from '../../../drizzle/schema.ts';
import type { Actor, AppEnv, Role } from '../app-env.ts';
import { db } from '../db.ts';
import { ApiError } from '../errors.ts';
import { assertCanWrite, assertRole, authenticate } from './admin-auth.ts';

/**
 * What a non-GET admin route changes, declared on the route (`middleware: [access('environment')]`):
 * - `read`: nothing (a POST that computes: evaluate, impact);
 * - `environment`: what the `{env}` environment of the path serves;
 * - `all-environments`: what every environment serves (a new flag, archive, restore);
 * - `flag-fields`: a flag edit; `all-environments` unless every field sent is in METADATA_FIELDS;
 * - `admin`: keys, tokens and environments, for admins only;
 * - `metadata`: what the service knows about code (references), not what anything serves: editors.
 * The authorization matrix test iterates the app's routes, so a write without one fails it.
 */
export type Effect = 'read' | 'environment' | 'all-environments' | 'flag-fields' | 'admin' | 'metadata';

const ROLE_OF: Record<Effect, Role> = {
  read: 'viewer',
  environment: 'editor',
  'all-environments': 'editor',
  'flag-fields': 'editor',
  admin: 'admin',
  metadata: 'editor',
};

/**
 * Flag fields that describe a flag without changing what any environment serves: editors without
 * production access may edit them. Variants, client visibility and the protective state are
 * served (or decide what the emergency action serves) everywhere, production included.
 */
export const METADATA_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'owner',
  'tags',
  'links',
  'type',
  'expiresAt',
  'primaryMetric',
  'version',
  'reason',
]);

const declared = new WeakMap<object, Effect>();

/** The effect a registered handler declares (undefined: not an access rule). */
export function policyOf(handler: unknown): Effect | undefined {
  return typeof handler === 'function' ? declared.get(handler) : undefined;
}

/** The one rule for admin writes: the role the effect needs, then production access for what it touches. */
export function access(effect: Effect): MiddlewareHandler<AppEnv> {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const actor = await authenticate(c);
    assertRole(actor, ROLE_OF[effect]);
    for (const environment of await touched(c, effect, actor)) assertCanWrite(actor, environment);
    await next();
  });
  declared.set(middleware, effect);
  return middleware;
}

/** The environments a write changes, as far as the production rule cares. */
async function touched(c: Context<AppEnv>, effect: Effect, actor: Actor): Promise<{ key: string; production: boolean }[]> {
  if (effect === 'read' || effect === 'admin' || effect === 'metadata') return [];
  // Callers with production access may touch any environment: skip the lookup.
  if (actor.role === 'admin' || actor.productionAccess) return [];
  const d = db(c.env);
  if (effect === 'environment') {
    const key = c.req.param('env');
    if (!key) throw new ApiError(500, 'internal', 'an environment-scoped route needs an {env} path parameter');
    const row = await d.select().from(environments).where(eq(environments.key, key)).get();
    return row ? [row] : []; // unknown: the route answers 404
  }
  if (effect === 'flag-fields' && (await metadataOnly(c))) return [];
  return d.select().from(environments).where(eq(environments.production, true));
}

/** Whether a JSON body only names metadata fields; an unreadable body counts as "not only metadata". */
async function metadataOnly(c: Context<AppEnv>): Promise<boolean> {
  const body: unknown = await c.req.json().catch(() => undefined);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return Object.keys(body).every((field) => METADATA_FIELDS.has(field));
}
