import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, desc, eq, getTableColumns, gte, like, lt, type SQL } from 'drizzle-orm';
import { auditLog } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { db } from '../db.ts';
import { validationHook } from '../errors.ts';
import { ok, security } from './openapi-helpers.ts';
import { AuditPage } from './responses.ts';
import { AuditQuery } from './schemas.ts';

/** The audit log, newest first, filtered by flag, actor, environment and time; `before` pages. */
export const auditRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/audit',
    tags: ['audit'],
    security,
    middleware: [requireRole('viewer')],
    request: { query: AuditQuery },
    responses: ok('Audit entries with before/after', AuditPage),
  }),
  async (c) => {
    const q = c.req.valid('query');
    const where: SQL[] = [];
    if (q.flag) where.push(eq(auditLog.resourceKey, q.flag));
    if (q.actor) where.push(like(auditLog.actor, `%${q.actor.replace(/[%_]/g, '')}%`));
    if (q.environment) where.push(eq(auditLog.environment, q.environment));
    if (q.since !== undefined) where.push(gte(auditLog.at, q.since));
    if (q.until !== undefined) where.push(lt(auditLog.at, q.until));
    if (q.before !== undefined) where.push(lt(auditLog.id, q.before));
    const { hash: _hash, prevHash: _prevHash, ...columns } = getTableColumns(auditLog);
    const entries = await db(c.env)
      .select(columns)
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.id))
      .limit(q.limit);
    const last = entries.at(-1);
    return c.json({ entries: entries, next: entries.length === q.limit && last ? last.id : null }, 200);
  },
);
