import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { db, statement } from '../db.ts';
import { ApiError, validationHook } from '../errors.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import { assertSnapshotFits } from '../snapshot/snapshot-limits.ts';
import { auditStatement } from './audit.ts';
import { isUniqueViolation } from './conflicts.ts';
import { ensureDefaultEnvironments } from './first-run.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { ContextEvaluation, EnvironmentCreated, EnvironmentList, HubStats } from './responses.ts';
import { EnvironmentCreate, EnvParam } from './schemas.ts';
import { segmentRoutes } from './segment-routes.ts';

const LATE_FLAGS = `INSERT INTO flag_configs (flag_key, environment, enabled, off_variant, default_serve)
  SELECT key, ?1, 0, off, json_object('variant', off) FROM (
    SELECT f.key AS key, coalesce(
      (SELECT c.off_variant FROM flag_configs c WHERE c.flag_key = f.key ORDER BY c.environment LIMIT 1),
      CASE WHEN json_type(f.variants, '$.off') IS NOT NULL THEN 'off' ELSE (SELECT j.key FROM json_each(f.variants) j LIMIT 1) END
    ) AS off
    FROM flags f WHERE NOT EXISTS (SELECT 1 FROM flag_configs c WHERE c.flag_key = f.key AND c.environment = ?1))`;

/** A flag's configuration in a new environment: off, serving its "off" variant (or its first). */
function offConfig(flag: typeof flags.$inferSelect, environment: string): typeof flagConfigs.$inferSelect {
  const off = Object.hasOwn(flag.variants, 'off') ? 'off' : Object.keys(flag.variants)[0]!;
  return {
    flagKey: flag.key,
    environment,
    enabled: false,
    offVariant: off,
    prerequisites: [],
    targets: [],
    rules: [],
    defaultServe: { variant: off },
    bucketBy: null,
    salt: null,
    scheduledSwitch: null,
    version: 1,
    updatedAt: Date.now(),
  };
}

/** Environments, their segments, live hub stats and "who gets what". */
export const environmentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments',
      tags: ['environments'],
      security,
      middleware: [requireRole('viewer')],
      responses: ok('Environments', EnvironmentList),
    }),
    async (c) => {
      const list = () => db(c.env).select().from(environments).orderBy(environments.sortOrder);
      const found = await list();
      // A fresh deployment has none: its first listing creates the defaults (first-run.ts).
      if (found.length > 0) return c.json({ environments: found }, 200);
      // Listed again whether this request or a concurrent one created them.
      await ensureDefaultEnvironments(c);
      return c.json({ environments: await list() }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/environments',
      tags: ['environments'],
      security,
      middleware: [access('admin')],
      request: jsonBody(EnvironmentCreate),
      responses: ok('Created, with every flag off', EnvironmentCreated),
    }),
    async (c) => {
      const { reason, ...body } = c.req.valid('json');
      const d = db(c.env);
      if (await d.select().from(environments).where(eq(environments.key, body.key)).get())
        throw new ApiError(409, 'already_exists', `environment "${body.key}" exists`);
      // Archived flags get a configuration too, so restoring one brings it back here as well.
      const all = await d.select().from(flags);
      const configs = all.map((f) => ({ flag: f, config: offConfig(f, body.key) }));
      // Every live flag is served here from the start: the new snapshot must fit like any other.
      const live = configs.filter(({ flag }) => flag.archivedAt === null);
      const snapshot = {
        environment: body.key,
        version: 1,
        flags: live.map(({ flag, config }) => toDefinition(flag, config)),
        segments: [],
      };
      assertSnapshotFits({ ...snapshot, flags: [] }, snapshot);
      // Two creates of one key both pass the read above; the primary key refuses the second batch whole.
      const created = c.env.DB.batch([
        statement(c.env.DB, d.insert(environments).values({ ...body, sortOrder: Date.now() % 1e9, snapshotVersion: 1 })),
        ...configs.map(({ config }) => statement(c.env.DB, d.insert(flagConfigs).values(config))),
        // A flag created after the read above, before this batch, did not see this environment:
        // configure it here too (off, with the off variant it has elsewhere), or it would never be served here.
        c.env.DB.prepare(LATE_FLAGS).bind(body.key),
        auditStatement(c.env.DB, {
          actor: c.get('actor'),
          action: 'environment.create',
          resourceType: 'environment',
          resourceKey: body.key,
          after: body,
          reason,
        }),
      ]);
      await created.catch((err: unknown) => {
        throw isUniqueViolation(err) ? new ApiError(409, 'already_exists', `environment "${body.key}" exists`) : err;
      });
      return c.json({ ...body, ...(await publishForRequest(c, body.key, [])) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/hub',
      tags: ['environments'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvParam },
      responses: ok('Connected streams and how far recent changes reached', HubStats),
    }),
    async (c) => c.json(await c.env.HUB.getByName(c.req.valid('param').env).stats(), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/environments/{env}/evaluate',
      tags: ['environments'],
      security,
      middleware: [access('read')],
      request: {
        params: EnvParam,
        ...jsonBody(z.object({ context: z.record(z.string(), z.unknown()), flags: z.array(z.string()).optional() })),
      },
      responses: ok('Every flag (or the named ones) for one context, with reasons', ContextEvaluation),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const { context, flags: keys } = c.req.valid('json');
      const snap = (await readSnapshot(c.env, env)).compiled;
      const only = keys && new Set(keys);
      return c.json({ version: snap.version, results: snap.evaluateAll(context as never, only && ((f) => only.has(f.key))) }, 200);
    },
  )
  .route('/', segmentRoutes);
