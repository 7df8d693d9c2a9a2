import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { ok, security } from '../admin/openapi-helpers.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { validationHook } from '../errors.ts';
import { Graph } from './graph-schemas.ts';
import { readGraph } from './read-graph.ts';

/** The dependency graph across flags (docs/policies.md): what breaks if you archive something. */
export const graphRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/graph',
    tags: ['graph'],
    security,
    middleware: [requireRole('viewer')],
    responses: ok('Live flags, segments and live release plans, with prerequisite, segment-use and release edges', Graph),
  }),
  async (c) => c.json(await readGraph(c.env.DB), 200),
);
