import { z } from 'zod';
import { toNumber, toTime } from '../operators.ts';
import { compilePattern } from '../regex.ts';
import { parseSemver } from '../semver.ts';
import type { Operator } from '../types.ts';

export const OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'emailDomain',
  'matches',
  'lt',
  'lte',
  'gt',
  'gte',
  'before',
  'after',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
  'exists',
  'notExists',
  'inSegment',
  'notInSegment',
] as const satisfies readonly Operator[];

/** Attribute names: no prototype members, so a rule can never read what the context did not send. */
export const AttributeName = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !['__proto__', 'constructor', 'prototype'].includes(s), 'reserved attribute name');

export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const Key = z.string().regex(KEY_PATTERN, 'use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit');

const ConditionValue = z.union([z.string().max(1024), z.number().refine(Number.isFinite, 'must be finite'), z.boolean()]);

const SINGLE: ReadonlySet<Operator> = new Set<Operator>([
  'equals',
  'notEquals',
  'matches',
  'lt',
  'lte',
  'gt',
  'gte',
  'before',
  'after',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
]);
const NONE: ReadonlySet<Operator> = new Set<Operator>(['exists', 'notExists']);

export const ConditionSchema = z
  .strictObject({
    attribute: AttributeName,
    op: z.enum(OPERATORS),
    values: z.array(ConditionValue).max(1000),
    caseInsensitive: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (message: string, path: PropertyKey[] = ['values']) => ctx.addIssue({ code: 'custom', message, path });
    const n = c.values.length;
    if (NONE.has(c.op)) {
      if (n !== 0) issue(`"${c.op}" takes no values`);
      return;
    }
    if (SINGLE.has(c.op) ? n !== 1 : n === 0) {
      issue(SINGLE.has(c.op) ? `"${c.op}" takes exactly one value` : `"${c.op}" needs at least one value`);
      return;
    }
    const v = c.values[0]!;
    if (c.op === 'matches') regexIssue(String(v), c.caseInsensitive, issue);
    else if (['lt', 'lte', 'gt', 'gte'].includes(c.op) && typeof v !== 'number' && Number.isNaN(toNumber(v)))
      issue(`"${c.op}" compares numbers; "${v}" is not one`, ['values', 0]);
    else if ((c.op === 'before' || c.op === 'after') && (typeof v === 'boolean' || Number.isNaN(toTime(v))))
      issue(`"${v}" is not a date (use ISO 8601 or epoch milliseconds)`, ['values', 0]);
    else if (c.op.startsWith('semver') && !parseSemver(String(v))) issue(`"${v}" is not a semantic version`, ['values', 0]);
  });

/** Validation compiles with the evaluator's own engine (RE2), so what saves is what runs. */
function regexIssue(pattern: string, caseInsensitive: boolean | undefined, issue: (message: string, path?: PropertyKey[]) => void): void {
  const compiled = compilePattern(pattern, caseInsensitive);
  if (typeof compiled === 'string') issue(compiled, ['values', 0]);
}
