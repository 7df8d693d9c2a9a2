/**
 * Wire types of @edgeflags/core: plain interfaces, so the evaluator and the browser SDK never
 * import zod. `schema/flag-schema.ts` is the validating twin; a type-level test pins the two.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type FlagKind = 'boolean' | 'string' | 'number' | 'json';

/** A scalar attribute value, or a list of them (any element may match). */
export type AttributeValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

/** A flat set of attributes. `targetingKey` (alias `userId`) names the user. */
export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: AttributeValue;
}

export type Operator =
  | 'equals'
  | 'notEquals'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'endsWith'
  | 'emailDomain'
  | 'matches'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'before'
  | 'after'
  | 'semverEq'
  | 'semverLt'
  | 'semverLte'
  | 'semverGt'
  | 'semverGte'
  | 'exists'
  | 'notExists'
  | 'inSegment'
  | 'notInSegment';

export type ConditionValue = string | number | boolean;

export interface Condition {
  attribute: string;
  op: Operator;
  values: ConditionValue[];
  /** Compare strings without regard to case (`equals`, `in`, `contains`, `startsWith`, `endsWith`). */
  caseInsensitive?: boolean;
}

export interface WeightedVariant {
  variant: string;
  /** Percent of the population, 0–100 with up to three decimals (100,000 buckets). */
  weight: number;
}

/** What a rule or the default serves: one variant, or a weighted split bucketed by an attribute. */
export interface Serve {
  variant?: string;
  split?: WeightedVariant[];
  /** Attribute whose value is hashed for the split; the flag's `bucketBy` when absent. */
  bucketBy?: string;
}

export interface Rule {
  id?: string;
  name?: string;
  /** All must hold (AND); an empty list always matches. */
  conditions: Condition[];
  serve: Serve;
}

export interface Target {
  /** Attribute compared with `values`; `targetingKey` when absent. */
  attribute?: string;
  values: string[];
  variant: string;
}

export interface Prerequisite {
  flag: string;
  /** The prerequisite flag must serve one of these variants. */
  variants: string[];
}

export interface FlagDefinition {
  key: string;
  kind: FlagKind;
  variants: Record<string, JsonValue>;
  /** Environment on/off: when false every context gets `offVariant` (the kill switch). */
  enabled: boolean;
  offVariant: string;
  prerequisites?: Prerequisite[];
  targets?: Target[];
  rules?: Rule[];
  defaultServe: Serve;
  /** Default bucketing attribute; `targetingKey` when absent. */
  bucketBy?: string;
  /** Hash salt; the flag key when absent. Changing it reshuffles every bucket. */
  salt?: string;
  /** Client keys may see this flag's evaluated value. */
  clientVisible?: boolean;
  version?: number;
  /** A change that takes effect at its instant in every evaluator, with or without the control plane. */
  scheduledSwitch?: ScheduledSwitch;
}

/** The targeting fields a scheduled switch replaces (those it leaves out stay as they are). */
export interface SwitchedConfig {
  enabled?: boolean;
  offVariant?: string;
  prerequisites?: Prerequisite[];
  targets?: Target[];
  rules?: Rule[];
  defaultServe?: Serve;
  /** `null` clears the flag's bucketing attribute (back to `targetingKey`). */
  bucketBy?: string | null;
}

/** From `at` (epoch ms) on, the flag evaluates with `config` in place of those fields. */
export interface ScheduledSwitch {
  at: number;
  config: SwitchedConfig;
}

export interface SegmentDefinition {
  key: string;
  /** Attribute compared with `included` / `excluded`; `targetingKey` when absent. */
  attribute?: string;
  included?: string[];
  excluded?: string[];
  /** A context is a member if any rule (an AND of conditions) holds. */
  rules?: Condition[][];
}

/** Everything one environment needs to evaluate: the unit compiled, cached and pushed. */
export interface Snapshot {
  environment: string;
  version: number;
  flags: FlagDefinition[];
  segments?: SegmentDefinition[];
  /**
   * Keys of flags under a live release plan: SDKs record outcomes (errors, latency, events) only
   * for these, so flags with no plan cost nothing. Absent when no plan is live.
   */
  tracked?: string[];
}

export type Reason = 'DISABLED' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'ERROR';

export type ErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'PARSE_ERROR' | 'INVALID_CONTEXT' | 'TARGETING_KEY_MISSING' | 'GENERAL';

export interface EvaluationResult<T = JsonValue> {
  key: string;
  value: T;
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
  errorMessage?: string;
  /** Index of the matched rule, when a rule decided. */
  ruleIndex?: number;
  ruleId?: string;
  /** Index of the matched individual target, when a target decided. */
  targetIndex?: number;
  /** The prerequisite that failed, when one switched the flag off. */
  prerequisite?: string;
}
