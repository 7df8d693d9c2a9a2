import type { SegmentDefinition } from '@edgeflags/core';
import { introducedIssues, SnapshotSchema } from '@edgeflags/core/schema';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { environments, segments } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { type Db, db, statement } from '../db.ts';
import { ApiError, notFound, ruleViolation, validationHook } from '../errors.ts';
import { refuseIfUsed, SEGMENT_USERS, segmentDependents } from '../graph/dependency-graph.ts';
import { buildSnapshot } from '../snapshot/build-snapshot.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import { assertSnapshotFits } from '../snapshot/snapshot-limits.ts';
import { auditStatement, bumpStatement } from './audit.ts';
import { staleVersion } from './conflicts.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { SegmentDeleted, SegmentList, SegmentSaved } from './responses.ts';
import { DeleteQuery, EnvParam, EnvSegmentParams, SegmentPut } from './schemas.ts';
import { expectedVersion, requireVersion } from './write-config.ts';
import { checkWritePolicies } from './write-policies.ts';

/**
 * Live flags whose rules in environment `?` name segment `?`. Also the deletion's guard inside
 * its batch, so a rule that starts using the segment after the check still stops it.
 */

/** A segment is checked within its environment (regex limits, no segment-in-segment), like a flag. */
async function validateSegment(d: Db, environment: string, candidate: SegmentDefinition): Promise<void> {
  const current = await buildSnapshot(d, environment);
  const others = (current.segments ?? []).filter((s) => s.key !== candidate.key);
  const next = { ...current, segments: [...others, candidate] };
  assertSnapshotFits(current, next);
  const parsed = SnapshotSchema.safeParse(next);
  if (parsed.success) return;
  // Problems already stored (a pre-RE2 regex in some flag) do not block this write (docs/regex.md).
  const introduced = introducedIssues(current, next, parsed.error.issues);
  if (introduced.length === 0) return;
  const at = others.length;
  const mine = introduced.filter((i) => i.path[0] === 'segments' && i.path[1] === at).map((i) => ({ ...i, path: i.path.slice(2) }));
  throw ruleViolation({ ...parsed.error, issues: mine.length ? mine : introduced } as typeof parsed.error, 'segment');
}

async function loadEnvironment(c: Context<AppEnv>, env: string) {
  const environment = await db(c.env).select().from(environments).where(eq(environments.key, env)).get();
  if (!environment) throw notFound(`environment "${env}"`);
  return environment;
}

/**
 * Creating is explicit (`If-None-Match: *`: 409 if the key exists) and updating needs the version
 * edited (428 without, 409 if stale): a PUT can never silently replace a segment rules depend on.
 */
function intent(c: Context<AppEnv>, bodyVersion: number | undefined): { create: true } | { create: false; expected: number } {
  if (c.req.header('if-none-match')?.trim() === '*') {
    if (expectedVersion(c, bodyVersion) !== undefined)
      throw new ApiError(400, 'invalid_request', 'send either If-None-Match: * (create) or a version (update), not both');
    return { create: true };
  }
  return { create: false, expected: requireVersion(c, bodyVersion, 'the segment version you edited, or If-None-Match: * to create it,') };
}

/** Segments of one environment: reusable audiences flag rules refer to with inSegment. */
export const segmentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
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
      middleware: [access('environment')],
      request: { params: EnvSegmentParams, ...jsonBody(SegmentPut) },
      responses: ok('Saved and pushed. Create with If-None-Match: *; update with the version (If-Match or body)', SegmentSaved),
    }),
    async (c) => {
      const { env, segment } = c.req.valid('param');
      const { name, description, version, reason, ...definition } = c.req.valid('json');
      const want = intent(c, version);
      const d = db(c.env);
      await loadEnvironment(c, env);
      const where = and(eq(segments.environment, env), eq(segments.key, segment));
      const before = await d.select().from(segments).where(where).get();
      if (want.create && before)
        throw new ApiError(409, 'already_exists', `segment "${segment}" exists in "${env}"; update it with its version`);
      if (!want.create && !before) throw notFound(`segment "${segment}" (to create it, send If-None-Match: *)`);
      const action = want.create ? 'segment.create' : 'segment.update';
      await checkWritePolicies(c, { action, resourceKey: segment, environment: env, protective: false });
      if (before && !want.create && before.version !== want.expected)
        throw staleVersion(`segment "${segment}"`, before.version, want.expected);
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
      // The write is guarded (insert only if absent, update only at the version read), and the
      // audit entry and snapshot bump follow only a one-row change: a lost race writes nothing.
      const write = before
        ? d
            .update(segments)
            .set(row)
            .where(and(where, eq(segments.version, before.version)))
        : d.insert(segments).values(row).onConflictDoNothing();
      const results = await c.env.DB.batch([
        statement(c.env.DB, write),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action, resourceType: 'segment', resourceKey: segment, environment: env, before, after: row, reason },
          true,
        ),
        bumpStatement(c.env.DB, env, true),
      ]);
      if (results[0]?.meta.changes !== 1)
        throw before ? staleVersion(`segment "${segment}"`) : new ApiError(409, 'already_exists', `segment "${segment}" was just created`);
      return c.json({ ...row, ...(await publishForRequest(c, env, [])) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/environments/{env}/segments/{segment}',
      tags: ['segments'],
      security,
      middleware: [access('environment')],
      request: { params: EnvSegmentParams, query: DeleteQuery },
      responses: ok('Deleted (with its version: If-Match or ?version=)', SegmentDeleted),
    }),
    async (c) => {
      const { env, segment } = c.req.valid('param');
      const { version, reason } = c.req.valid('query');
      const expected = requireVersion(c, version, 'the segment version you delete');
      const environment = await loadEnvironment(c, env);
      const before = await db(c.env)
        .select()
        .from(segments)
        .where(and(eq(segments.environment, env), eq(segments.key, segment)))
        .get();
      if (!before) throw notFound(`segment "${segment}"`);
      await checkWritePolicies(c, { action: 'segment.delete', resourceKey: segment, environment: env, protective: false });
      if (before.version !== expected) throw staleVersion(`segment "${segment}"`, before.version, expected);
      refuseIfUsed(segment, await segmentDependents(c.env.DB, env, segment), 'remove it from their rules first');
      const results = await c.env.DB.batch([
        c.env.DB.prepare(`DELETE FROM segments WHERE environment = ? AND key = ? AND version = ? AND NOT EXISTS (${SEGMENT_USERS})`).bind(
          env,
          segment,
          expected,
          env,
          segment,
        ),
        auditStatement(
          c.env.DB,
          {
            actor: c.get('actor'),
            action: 'segment.delete',
            resourceType: 'segment',
            resourceKey: segment,
            environment: env,
            before,
            reason,
          },
          true,
        ),
        bumpStatement(c.env.DB, env, true),
      ]);
      if (results[0]?.meta.changes !== 1) throw staleVersion(`segment "${segment}"`);
      return c.json({ deleted: segment, previousVersion: environment.snapshotVersion, ...(await publishForRequest(c, env, [])) }, 200);
    },
  );
