import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { ok, security } from '../admin/openapi-helpers.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { notFound, validationHook } from '../errors.ts';
import { StaleReportBody, StaleReportQuery } from './lifecycle-schemas.ts';
import { staleReport } from './stale-report.ts';

/** Reports over the flags' lifecycle (docs/lifecycle.md). */
export const reportRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/reports/stale',
    tags: ['lifecycle'],
    security,
    middleware: [requireRole('viewer')],
    request: { query: StaleReportQuery },
    responses: ok('Flags to remove, since when, whose, and the cleanup command', StaleReportBody),
  }),
  async (c) => {
    const { environment } = c.req.valid('query');
    if (environment !== undefined) {
      const known = await c.env.DB.prepare('SELECT 1 FROM environments WHERE key = ?').bind(environment).first();
      if (!known) throw notFound(`environment "${environment}"`);
    }
    return c.json(await staleReport(c.env, environment), 200);
  },
);
