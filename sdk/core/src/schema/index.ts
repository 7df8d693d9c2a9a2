/**
 * @edgeflags/core/schema — zod schemas for flag definitions, used where definitions are written
 * (the admin API). Kept apart from the evaluator so zod never reaches a browser bundle.
 *
 * @example
 * import { SnapshotSchema } from '@edgeflags/core/schema';
 * const parsed = SnapshotSchema.safeParse(body);
 * if (!parsed.success) console.log(parsed.error.issues[0].path, parsed.error.issues[0].message);
 */

export { MetricsPayloadSchema, OutcomeSummarySchema, SketchDataSchema } from '../metrics/metrics-schema.ts';
// Linear-time patterns (RE2) for other admin-configured regexes, e.g. the flag naming policy.
export { compilePattern } from '../regex.ts';
export { AttributeName, ConditionSchema, KEY_PATTERN, Key, OPERATORS } from './condition-schema.ts';
export {
  FlagDefinitionSchema,
  JsonValueSchema,
  PrerequisiteSchema,
  RuleSchema,
  SegmentDefinitionSchema,
  ServeSchema,
  TargetSchema,
  WeightedVariantSchema,
} from './flag-schema.ts';
export { introducedIssues, SnapshotSchema, storedIssues } from './snapshot-schema.ts';
