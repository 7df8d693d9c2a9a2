import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { db, statement } from '../db.ts';
import { ApiError, validationHook } from '../errors.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import { auditStatement } from './audit.ts';
import { isUniqueViolation } from './conflicts.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { ContextEvaluation, EnvironmentCreated, EnvironmentList, HubStats } from './responses.ts';
import { EnvironmentCreate, EnvParam } from './schemas.ts';
import { segmentRoutes } from './segment-routes.ts';

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
    async (c) => c.json({ environments: await db(c.env).select().from(environments).orderBy(environments.sortOrder) }, 200),
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
      const live = await d.select().from(flags);
      // Two creates of one key both pass the read above; the primary key refuses the second batch whole.
      const created = c.env.DB.batch([
        statement(c.env.DB, d.insert(environments).values({ ...body, sortOrder: Date.now() % 1e9, snapshotVersion: 1 })),
        ...live.map((f) => {
          const off = Object.hasOwn(f.variants as object, 'off') ? 'off' : Object.keys(f.variants as object)[0]!;
          return statement(
            c.env.DB,
            d.insert(flagConfigs).values({ flagKey: f.key, environment: body.key, offVariant: off, defaultServe: { variant: off } }),
          );
        }),
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
