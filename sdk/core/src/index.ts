/**
 * @edgeflags/core — the evaluator every edgeflags runtime shares (Worker, Node, browser).
 * Pure: no I/O, timers or globals. A snapshot compiles once into closures; evaluation never throws.
 *
 * @example
 * import { compileSnapshot } from '@edgeflags/core';
 * const flags = compileSnapshot({
 *   environment: 'production',
 *   version: 1,
 *   flags: [{
 *     key: 'new-pdf-engine', kind: 'boolean', variants: { on: true, off: false },
 *     enabled: true, offVariant: 'off', bucketBy: 'accountId',
 *     defaultServe: { split: [{ variant: 'on', weight: 5 }, { variant: 'off', weight: 95 }] },
 *   }],
 * });
 * flags.evaluate('new-pdf-engine', { accountId: 'acct-42' }, false); // { value, variant, reason: 'SPLIT' }
 */
export { BUCKET_COUNT, bucketOf, saltSeed } from './bucket.ts';
export type { CompiledFlag } from './flag.ts';
export {
  MAX_PREREQUISITE_DEPTH,
  MAX_PREREQUISITE_FLAGS,
  MAX_REGEX_INPUT,
  MAX_REGEX_LENGTH,
  MAX_REGEX_LIST_INPUT,
  MAX_REGEX_PROGRAM,
} from './limits.ts';
export { countsForRelease } from './metrics/attribution.ts';
export { METRICS_LIMITS, type MetricsPayload, type OutcomeSummary } from './metrics/outcomes.ts';
export {
  LatencySketch,
  SKETCH_MAX_BUCKETS,
  SKETCH_MAX_INDEX,
  SKETCH_RELATIVE_ACCURACY,
  type SketchData,
} from './metrics/sketch.ts';
export { murmur3 } from './murmur3.ts';
export type { BooleanFlagKey, FlagKey, FlagRegistry, FlagShape, ValueOf, VariantOf } from './registry.ts';
export { lastSwitchAt, nextSwitchAt, snapshotAt } from './scheduled-switch.ts';
export { compareSemver, parseSemver } from './semver.ts';
export { compileSnapshot, type FlagSnapshot } from './snapshot.ts';
export type * from './types.ts';
export { toWirePayload, toWireResult, type WirePayload, type WireResult } from './wire.ts';
