import type { Condition, ConfigBody, ConfigRow, Operator, Serve } from '../api/types.ts';

/** The editable part of a flag's configuration in one environment. */
export type ConfigDraft = Pick<ConfigRow, 'enabled' | 'offVariant' | 'prerequisites' | 'targets' | 'rules' | 'defaultServe' | 'bucketBy'>;

export function draftOf(c: ConfigRow): ConfigDraft {
  const { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy } = c;
  return structuredClone({ enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy });
}

/** The PUT body; `bucketBy` is omitted rather than sent empty. */
export function bodyOf(d: ConfigDraft, version?: number, reason?: string): ConfigBody {
  const body: ConfigBody = {
    enabled: d.enabled,
    offVariant: d.offVariant,
    prerequisites: d.prerequisites,
    targets: d.targets,
    rules: d.rules,
    defaultServe: d.defaultServe,
    bucketBy: d.bucketBy || null,
  };
  if (version !== undefined) body.version = version;
  if (reason) body.reason = reason;
  return body;
}

/** Same split the Worker's rollout route writes: rolled-out variant first, so raising never removes anyone. */
export function rolloutServe(current: Serve, offVariant: string, variant: string, percentage: number): Serve {
  const rest = Math.round((100 - percentage) * 1000) / 1000;
  const serve: Serve = {
    split: [
      { variant, weight: percentage },
      { variant: offVariant, weight: rest },
    ],
  };
  if (current.bucketBy) serve.bucketBy = current.bucketBy;
  return serve;
}

export const OPERATORS: { op: Operator; label: string; arity: 'none' | 'one' | 'many'; numeric?: boolean }[] = [
  { op: 'equals', label: 'equals', arity: 'one' },
  { op: 'notEquals', label: 'does not equal', arity: 'one' },
  { op: 'in', label: 'is one of', arity: 'many' },
  { op: 'notIn', label: 'is not one of', arity: 'many' },
  { op: 'contains', label: 'contains', arity: 'many' },
  { op: 'notContains', label: 'does not contain', arity: 'many' },
  { op: 'startsWith', label: 'starts with', arity: 'many' },
  { op: 'endsWith', label: 'ends with', arity: 'many' },
  { op: 'emailDomain', label: 'email domain is', arity: 'many' },
  { op: 'matches', label: 'matches regex', arity: 'one' },
  { op: 'lt', label: '<', arity: 'one', numeric: true },
  { op: 'lte', label: '≤', arity: 'one', numeric: true },
  { op: 'gt', label: '>', arity: 'one', numeric: true },
  { op: 'gte', label: '≥', arity: 'one', numeric: true },
  { op: 'before', label: 'is before (date)', arity: 'one' },
  { op: 'after', label: 'is after (date)', arity: 'one' },
  { op: 'semverEq', label: 'semver =', arity: 'one' },
  { op: 'semverLt', label: 'semver <', arity: 'one' },
  { op: 'semverLte', label: 'semver ≤', arity: 'one' },
  { op: 'semverGt', label: 'semver >', arity: 'one' },
  { op: 'semverGte', label: 'semver ≥', arity: 'one' },
  { op: 'exists', label: 'is set', arity: 'none' },
  { op: 'notExists', label: 'is not set', arity: 'none' },
  { op: 'inSegment', label: 'is in segment', arity: 'many' },
  { op: 'notInSegment', label: 'is not in segment', arity: 'many' },
];

// Compile-time check that the list names every operator the evaluator knows.
type Missing = Exclude<Operator, (typeof OPERATORS)[number]['op']>;
const _everyOperator: Missing extends never ? true : Missing = true;
void _everyOperator;

/** Comma-separated text → condition values; numeric operators get numbers. */
export function parseValues(text: string, op: Operator): Condition['values'] {
  const info = OPERATORS.find((o) => o.op === op);
  if (info?.arity === 'none') return [];
  const parts = info?.arity === 'one' ? [text.trim()] : text.split(',').map((s) => s.trim());
  const values = parts.filter((s) => s !== '');
  return info?.numeric ? values.map((v) => (Number.isFinite(Number(v)) ? Number(v) : v)) : values;
}

export function formatValues(values: Condition['values']): string {
  return values.map(String).join(', ');
}
