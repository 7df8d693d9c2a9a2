import { type AttributeRead, readAttribute, type Scalar } from './attribute.ts';
import { MAX_REGEX_INPUT, MAX_REGEX_LIST_INPUT } from './limits.ts';
import { compilePattern, type Pattern } from './regex.ts';
import { compareSemver, parseSemver } from './semver.ts';
import type { Condition, EvaluationContext, Operator } from './types.ts';

export type Predicate = (ctx: EvaluationContext) => boolean;
type ScalarTest = (v: Scalar) => boolean;

/** Thrown while compiling only; the snapshot turns it into a PARSE_ERROR for that flag. */
export class CompileError extends Error {}

/** Negated operators hold when no value of the attribute (or a missing one) satisfies the base. */
const NEGATION: Partial<Record<Operator, Operator>> = {
  notEquals: 'equals',
  notIn: 'in',
  notContains: 'contains',
  notExists: 'exists',
  notInSegment: 'inSegment',
};

export function compileCondition(c: Condition, segments: ReadonlyMap<string, Predicate>): Predicate {
  const base = NEGATION[c.op];
  const positive = compilePositive(base ? { ...c, op: base } : c, segments);
  return base ? (ctx) => !positive(ctx) : positive;
}

function compilePositive(c: Condition, segments: ReadonlyMap<string, Predicate>): Predicate {
  if (c.op === 'inSegment') {
    const preds = c.values.map((key) => {
      const p = segments.get(String(key));
      if (!p) throw new CompileError(`unknown segment "${key}"`);
      return p;
    });
    return preds.length === 1 ? preds[0]! : (ctx) => preds.some((p) => p(ctx));
  }
  const attribute = c.attribute;
  const isKey = attribute === 'targetingKey';
  if (c.op === 'exists') return (ctx) => readAttribute(ctx, attribute, isKey) !== undefined;
  if (c.op === 'matches') return matchesAny(attribute, isKey, compileRegex(String(c.values[0]), c.caseInsensitive));
  // The commonest operators get a predicate of their own, one call instead of two per test.
  if (c.op === 'in' && !c.caseInsensitive) return inSet(attribute, isKey, new Set(c.values.map(String)));
  return anyValue(attribute, isKey, scalarTest(c));
}

/**
 * A regex reads a value over MAX_REGEX_INPUT characters never, and a list only until
 * MAX_REGEX_LIST_INPUT characters were read: what one condition costs is bounded by the
 * pattern (MAX_REGEX_PROGRAM), not by how much an anonymous caller sends.
 */
function matchesAny(attribute: string, isKey: boolean, re: Pattern): Predicate {
  return (ctx) => {
    const v: AttributeRead = readAttribute(ctx, attribute, isKey);
    if (v === undefined) return false;
    if (typeof v !== 'object') {
      const s = String(v);
      return s.length <= MAX_REGEX_INPUT && re.test(s);
    }
    let left = MAX_REGEX_LIST_INPUT;
    for (const item of v) {
      const s = String(item);
      if (s.length > MAX_REGEX_INPUT) continue;
      left -= s.length;
      if (left < 0) return false;
      if (re.test(s)) return true;
    }
    return false;
  };
}

function inSet(attribute: string, isKey: boolean, set: ReadonlySet<string>): Predicate {
  return (ctx) => {
    const v = readAttribute(ctx, attribute, isKey);
    if (v === undefined) return false;
    if (typeof v === 'string') return set.has(v);
    if (typeof v !== 'object') return set.has(String(v));
    for (const x of v) if (set.has(typeof x === 'string' ? x : String(x))) return true;
    return false;
  };
}

function anyValue(attribute: string, isKey: boolean, test: ScalarTest): Predicate {
  return (ctx) => {
    const v = readAttribute(ctx, attribute, isKey);
    if (v === undefined) return false;
    if (typeof v === 'object') return v.some(test);
    return test(v);
  };
}

function scalarTest(c: Condition): ScalarTest {
  const fold = c.caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  const strings = c.values.map((v) => fold(String(v)));
  switch (c.op) {
    case 'equals': {
      const s = strings[0];
      return (v) => fold(String(v)) === s;
    }
    case 'in': {
      const set = new Set(strings);
      return (v) => set.has(fold(typeof v === 'string' ? v : String(v)));
    }
    case 'contains':
      return (v) => strings.some((s) => fold(String(v)).includes(s));
    case 'startsWith':
      return (v) => strings.some((s) => fold(String(v)).startsWith(s));
    case 'endsWith':
      return (v) => strings.some((s) => fold(String(v)).endsWith(s));
    case 'emailDomain': {
      const domains = new Set(c.values.map((v) => String(v).toLowerCase().replace(/^@/, '')));
      return (v) => typeof v === 'string' && domains.has(v.slice(v.lastIndexOf('@') + 1).toLowerCase()) && v.includes('@');
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return ordered(c, toNumber);
    case 'before':
    case 'after':
      return ordered(c, toTime);
    case 'semverEq':
    case 'semverLt':
    case 'semverLte':
    case 'semverGt':
    case 'semverGte':
      return semverTest(c);
    default:
      throw new CompileError(`unknown operator "${c.op}"`);
  }
}

/** A stored pattern the dialect cannot run (saved before RE2) makes its flag a PARSE_ERROR. */
function compileRegex(pattern: string, caseInsensitive?: boolean) {
  const compiled = compilePattern(pattern, caseInsensitive);
  if (typeof compiled === 'string') throw new CompileError(`invalid regex "${pattern}": ${compiled}`);
  return compiled;
}

const ORDER: Record<string, (d: number) => boolean> = {
  lt: (d) => d < 0,
  lte: (d) => d <= 0,
  gt: (d) => d > 0,
  gte: (d) => d >= 0,
  before: (d) => d < 0,
  after: (d) => d > 0,
  semverEq: (d) => d === 0,
  semverLt: (d) => d < 0,
  semverLte: (d) => d <= 0,
  semverGt: (d) => d > 0,
  semverGte: (d) => d >= 0,
};

function ordered(c: Condition, read: (v: Scalar) => number): ScalarTest {
  const bound = read(c.values[0] as Scalar);
  if (Number.isNaN(bound)) throw new CompileError(`"${c.op}" needs a ${read === toTime ? 'date' : 'number'}`);
  const holds = ORDER[c.op]!;
  return (v) => {
    const x = read(v);
    return !Number.isNaN(x) && holds(x - bound);
  };
}

function semverTest(c: Condition): ScalarTest {
  const bound = parseSemver(String(c.values[0]));
  if (!bound) throw new CompileError(`"${c.values[0]}" is not a semantic version`);
  const holds = ORDER[c.op]!;
  return (v) => {
    const x = typeof v === 'string' ? parseSemver(v) : undefined;
    return x !== undefined && holds(compareSemver(x, bound));
  };
}

/** Numbers, and strings that are entirely a finite number; anything else is NaN (no match). */
export function toNumber(v: Scalar): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return Number.NaN;
  const n = Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
}

/** Epoch milliseconds, or an ISO 8601 date / date-time string. */
export function toTime(v: Scalar): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return Number.NaN;
  return Date.parse(v);
}
