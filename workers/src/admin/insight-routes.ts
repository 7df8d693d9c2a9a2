import { compileSnapshot, type EvaluationContext, type EvaluationResult } from '@edgeflags/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { and, desc, eq, gte } from 'drizzle-orm';
import { environments, exposureCounts, recentContexts } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { adminTokenExpiry, requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { db } from '../db.ts';
import { notFound, validationHook } from '../errors.ts';
import { forwardToHub } from '../sdk/forward-to-hub.ts';
import { buildSnapshot, toDefinition } from '../snapshot/build-snapshot.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { Exposures, Impact, RecentContexts } from './responses.ts';
import { Actor } from './row-schemas.ts';
import { ConfigPut, EnvParam, FlagEnvParams } from './schemas.ts';
import { StoredProblems, storedProblems } from './stored-problems.ts';
import { loadConfig, proposeSnapshot } from './write-config.ts';

const HOUR_MS = 3_600_000;
const EXAMPLES = 20;

type Brief = Pick<EvaluationResult, 'value' | 'variant' | 'reason'>;
const brief = (r: EvaluationResult): Brief => ({ value: r.value, variant: r.variant, reason: r.reason });

function recent(env: AppEnv['Bindings'], environment: string, limit: number) {
  return db(env)
    .select({
      contextKey: recentContexts.contextKey,
      context: recentContexts.context,
      seenAt: recentContexts.seenAt,
      source: recentContexts.source,
    })
    .from(recentContexts)
    .where(eq(recentContexts.environment, environment))
    .orderBy(desc(recentContexts.seenAt))
    .limit(limit);
}

/** What the SDKs saw: who the caller is, exposure counts, recent contexts, and change impact. */
export const insightRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['session'],
      security,
      middleware: [requireRole('viewer')],
      responses: ok('Who is calling: name, role, production access, the person and the token used', Actor),
    }),
    (c) => c.json(c.get('actor'), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/changes',
      tags: ['session'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvParam },
      responses: {
        200: {
          description:
            "Server-sent events from the environment's hub: `refetch` with the changed flag keys after every published change (read with fetch, which can send the token)",
          content: { 'text/event-stream': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const known = await db(c.env).select({ key: environments.key }).from(environments).where(eq(environments.key, env)).get();
      if (!known) throw notFound(`environment "${env}"`);
      const actor = c.get('actor');
      // A stream outlives the check that opened it: it ends when the token, or the Access sign-in, does.
      const expiresAt = actor.token === null ? (actor.expiresAt ?? null) : await adminTokenExpiry(c.env, actor.id);
      return forwardToHub(c.env, c.req.raw, env, 'admin', { keyId: actor.id, expiresAt });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/exposures',
      tags: ['insights'],
      security,
      middleware: [requireRole('viewer')],
      request: {
        params: EnvParam,
        query: z.object({
          flag: z.string().optional(),
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 90)
            .default(24),
        }),
      },
      responses: ok('Exposures per flag and variant over the last `hours` (variant "" means the SDK served its fallback)', Exposures),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const { flag, hours } = c.req.valid('query');
      const since = Math.floor((Date.now() - hours * HOUR_MS) / HOUR_MS) * HOUR_MS;
      const filters = [eq(exposureCounts.environment, env), gte(exposureCounts.hour, since)];
      if (flag) filters.push(eq(exposureCounts.flagKey, flag));
      const rows = await db(c.env)
        .select()
        .from(exposureCounts)
        .where(and(...filters));
      const flags: Record<string, Record<string, number>> = {};
      for (const r of rows) {
        flags[r.flagKey] ??= {};
        flags[r.flagKey]![r.variant] = (flags[r.flagKey]![r.variant] ?? 0) + r.count;
      }
      return c.json({ environment: env, since, flags }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/contexts',
      tags: ['insights'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvParam, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
      responses: ok('The most recently seen contexts (sent by SDKs with their exposures)', RecentContexts),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const rows = await recent(c.env, env, c.req.valid('query').limit);
      return c.json({ environment: env, contexts: rows }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/problems',
      tags: ['insights'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvParam },
      responses: ok(
        'Stored flags and segments that would not validate today (e.g. lookaround regexes saved before RE2); they answer PARSE_ERROR until fixed',
        StoredProblems,
      ),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const snapshot = await buildSnapshot(db(c.env), env);
      return c.json({ environment: env, problems: storedProblems(snapshot) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags/{key}/environments/{env}/impact',
      tags: ['insights'],
      security,
      middleware: [access('read')],
      request: { params: FlagEnvParams, ...jsonBody(ConfigPut) },
      responses: ok(
        'How many recently seen contexts would get a different value with this configuration (the config PUT body; nothing is saved)',
        Impact,
      ),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const { version: _version, reason: _reason, ...proposed } = c.req.valid('json');
      const { flag, config } = await loadConfig(c, key, env);
      const candidate = toDefinition(flag, { ...config, ...proposed, bucketBy: proposed.bucketBy ?? null });
      const { current, next } = await proposeSnapshot(c, env, candidate);
      const before = compileSnapshot(current);
      const after = compileSnapshot(next);
      const sample = await recent(c.env, env, 1000);
      let changed = 0;
      const examples: (Pick<(typeof sample)[number], 'contextKey' | 'context'> & { before: Brief; after: Brief })[] = [];
      for (const row of sample) {
        const ctx = row.context as EvaluationContext;
        const was = before.evaluate(key, ctx);
        const will = after.evaluate(key, ctx);
        if (was.variant === will.variant && JSON.stringify(was.value) === JSON.stringify(will.value)) continue;
        changed++;
        if (examples.length < EXAMPLES)
          examples.push({ contextKey: row.contextKey, context: row.context, before: brief(was), after: brief(will) });
      }
      const sources = new Set(sample.map((r) => r.source)).size;
      return c.json({ flag: key, environment: env, sampled: sample.length, sources, changed, examples }, 200);
    },
  );
