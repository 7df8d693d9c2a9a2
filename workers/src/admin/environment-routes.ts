import type { Condition, SegmentDefinition, Snapshot } from '@edgeflags/core';
import { SnapshotSchema } from '@edgeflags/core/schema';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { environments, flagConfigs, flags, segments } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { assertCanWrite, requireRole } from '../auth/admin-auth.ts';
import { type Db, db, statement } from '../db.ts';
import { ApiError, notFound, validationError, validationHook } from '../errors.ts';
import { buildSnapshot } from '../snapshot/build-snapshot.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { publishEnvironment } from '../snapshot/publish.ts';
import { auditStatement, bumpStatement } from './audit.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { ContextEvaluation, EnvironmentCreated, EnvironmentList, HubStats, SegmentDeleted, SegmentList } from './responses.ts';
import { SegmentRecord } from './row-schemas.ts';
import { EnvironmentCreate, EnvParam, EnvSegmentParams, SegmentPut } from './schemas.ts';

/** The first flag whose rules name `segment` (segments cannot name segments), for an error message. */
function segmentUser(snapshot: Snapshot, segment: string): string | undefined {
  const names = (conditions: readonly Condition[]) =>
    conditions.some((c) => (c.op === 'inSegment' || c.op === 'notInSegment') && c.values.includes(segment));
  const flag = snapshot.flags.find((f) => f.rules?.some((r) => names(r.conditions)));
  return flag && `flag "${flag.key}"`;
}

/** A segment is checked within its environment (regex limits, no segment-in-segment), like a flag. */
async function validateSegment(d: Db, environment: string, candidate: SegmentDefinition): Promise<void> {
  const current = await buildSnapshot(d, environment);
  const others = (current.segments ?? []).filter((s) => s.key !== candidate.key);
  const parsed = SnapshotSchema.safeParse({ ...current, segments: [...others, candidate] });
  if (parsed.success) return;
  const at = others.length;
  const mine = parsed.error.issues
    .filter((i) => i.path[0] === 'segments' && i.path[1] === at)
    .map((i) => ({ ...i, path: i.path.slice(2) }));
  throw validationError({ ...parsed.error, issues: mine.length ? mine : parsed.error.issues } as typeof parsed.error, 'segment');
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
    async (c) => c.json({ environments: await db(c.env).select().from(environments).orderBy(environments.sortOrder) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/environments',
      tags: ['environments'],
      security,
      middleware: [requireRole('admin')],
      request: jsonBody(EnvironmentCreate),
      responses: ok('Created, with every flag off', EnvironmentCreated),
    }),
    async (c) => {
      const { reason, ...body } = c.req.valid('json');
      const d = db(c.env);
      if (await d.select().from(environments).where(eq(environments.key, body.key)).get())
        throw new ApiError(409, 'already_exists', `environment "${body.key}" exists`);
      const live = await d.select().from(flags);
      await c.env.DB.batch([
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
      await publishEnvironment(c.env, body.key, []);
      return c.json(body, 200);
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
      middleware: [requireRole('viewer')],
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
  .openapi(
    createRoute({
      method: 'get',
      path: '/environments/{env}/segments',
      tags: ['segments'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvParam },
      responses: ok('Segments', SegmentList),
    }),
    async (c) =>
      c.json(
        {
          segments: await db(c.env)
            .select()
            .from(segments)
            .where(eq(segments.environment, c.req.valid('param').env)),
        },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/environments/{env}/segments/{segment}',
      tags: ['segments'],
      security,
      middleware: [requireRole('editor')],
      request: { params: EnvSegmentParams, ...jsonBody(SegmentPut) },
      responses: ok('Saved and pushed', SegmentRecord),
    }),
    async (c) => {
      const { env, segment } = c.req.valid('param');
      const { name, description, version, reason, ...definition } = c.req.valid('json');
      const d = db(c.env);
      const environment = await d.select().from(environments).where(eq(environments.key, env)).get();
      if (!environment) throw notFound(`environment "${env}"`);
      assertCanWrite(c.get('actor'), environment);
      const where = and(eq(segments.environment, env), eq(segments.key, segment));
      const before = await d.select().from(segments).where(where).get();
      if (before && version !== undefined && version !== before.version)
        throw new ApiError(409, 'version_conflict', `segment "${segment}" is at version ${before.version}, not ${version}`);
      await validateSegment(d, env, { ...definition, key: segment } as SegmentDefinition);
      const row = {
        environment: env,
        key: segment,
        name: name ?? '',
        description: description ?? '',
        definition,
        version: (before?.version ?? 0) + 1,
        updatedAt: Date.now(),
      };
      await c.env.DB.batch([
        statement(c.env.DB, before ? d.update(segments).set(row).where(where) : d.insert(segments).values(row)),
        auditStatement(c.env.DB, {
          actor: c.get('actor'),
          action: before ? 'segment.update' : 'segment.create',
          resourceType: 'segment',
          resourceKey: segment,
          environment: env,
          before,
          after: row,
          reason,
        }),
        bumpStatement(c.env.DB, env),
      ]);
      await publishEnvironment(c.env, env, []);
      return c.json(row, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/environments/{env}/segments/{segment}',
      tags: ['segments'],
      security,
      middleware: [requireRole('editor')],
      request: { params: EnvSegmentParams },
      responses: ok('Deleted', SegmentDeleted),
    }),
    async (c) => {
      const { env, segment } = c.req.valid('param');
      const d = db(c.env);
      const environment = await d.select().from(environments).where(eq(environments.key, env)).get();
      if (!environment) throw notFound(`environment "${env}"`);
      assertCanWrite(c.get('actor'), environment);
      const where = and(eq(segments.environment, env), eq(segments.key, segment));
      const before = await d.select().from(segments).where(where).get();
      if (!before) throw notFound(`segment "${segment}"`);
      const snapshot = await buildSnapshot(d, env);
      const user = segmentUser(snapshot, segment);
      if (user) throw new ApiError(409, 'in_use', `${user} uses segment "${segment}"; remove it from its rules first`);
      await c.env.DB.batch([
        statement(c.env.DB, d.delete(segments).where(where)),
        auditStatement(c.env.DB, {
          actor: c.get('actor'),
          action: 'segment.delete',
          resourceType: 'segment',
          resourceKey: segment,
          environment: env,
          before,
        }),
        bumpStatement(c.env.DB, env),
      ]);
      await publishEnvironment(c.env, env, []);
      return c.json({ deleted: segment, previousVersion: snapshot.version }, 200);
    },
  );
