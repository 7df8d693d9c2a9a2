import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ok, security } from '../admin/openapi-helpers.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { validationHook } from '../errors.ts';
import { readGraph } from './read-graph.ts';

const Node = z.object({
  id: z.string().openapi({ description: '`flag:<key>`, `segment:<env>/<key>` or `release:<id>`' }),
  kind: z.enum(['flag', 'segment', 'release']),
  key: z.string(),
  environment: z.string().optional(),
  label: z.string(),
  type: z.string().optional().openapi({ description: 'A flag’s type' }),
  status: z.string().optional().openapi({ description: 'A release’s status' }),
});
const Edge = z.object({
  from: z.string().openapi({ description: 'The node that depends…' }),
  to: z.string().openapi({ description: '…on this one: archiving or deleting `to` is refused while the edge exists' }),
  kind: z.enum(['prerequisite', 'segment', 'release']),
  environment: z.string(),
});
export const Graph = z.object({ nodes: z.array(Node), edges: z.array(Edge) }).openapi('DependencyGraph');

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
