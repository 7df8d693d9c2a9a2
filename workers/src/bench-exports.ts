/**
 * What the benchmarks (sdk/bench) run of the Worker's own code, as the package export
 * `@edgeflags/worker/bench`: bench code imports this, never a path into workers/src, so a moved
 * file breaks here (type-checked with the Worker) rather than in a bench nobody ran. Everything
 * here type-checks without the Workers types; the edge read path, which needs them, is the
 * separate export `@edgeflags/worker/bench/edge-cache` (workers/src/snapshot/edge-cache.ts).
 */
export { admitMetrics } from './metrics/admit-metrics.ts';
export { evaluateForKey, evaluationEtag } from './sdk/bulk-evaluate.ts';
export { EvaluateBody } from './sdk/context.ts';
