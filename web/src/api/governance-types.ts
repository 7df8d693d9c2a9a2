// Policy and dependency-graph shapes of the admin API, from the Worker's zod schemas as `import type`.
import type { z } from 'zod';
import type * as G from '../../../workers/src/graph/graph-schemas.ts';
import type * as P from '../../../workers/src/policies/policy-schemas.ts';

export type Graph = z.output<typeof G.Graph>;
export type GraphNode = Graph['nodes'][number];
export type GraphEdge = Graph['edges'][number];
export type Policies = z.output<typeof P.PolicySettings>;
export type StoredPolicies = z.output<typeof P.StoredPolicies>;
export type PolicyReport = z.output<typeof P.PolicyReport>;
