import { z } from '@hono/zod-openapi';

/** The dependency graph's shape (GET /api/v1/graph), apart from the route so the admin app can take its type. */
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
