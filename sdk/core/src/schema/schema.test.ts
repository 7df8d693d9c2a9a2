import { describe, expect, it } from 'vitest';
import { vectors } from '../../test/vectors.ts';
import { MAX_JSON_DEPTH } from '../limits.ts';
import type { FlagDefinition } from '../types.ts';
import { FlagDefinitionSchema, introducedIssues, JsonValueSchema, SnapshotSchema, storedIssues } from './index.ts';

const base: FlagDefinition = {
  key: 'f',
  kind: 'boolean',
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  defaultServe: { variant: 'off' },
};

/** The first issue's path and message, for a flag that must not validate. */
function rejection(flag: unknown): { path: string; message: string } {
  const parsed = FlagDefinitionSchema.safeParse(flag);
  expect(parsed.success).toBe(false);
  const issue = parsed.error!.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
}

const rule = (condition: object) => ({ ...base, rules: [{ conditions: [{ attribute: 'a', ...condition }], serve: { variant: 'on' } }] });

describe('FlagDefinitionSchema', () => {
  it('accepts every well-formed flag in the test vectors', () => {
    for (const suite of vectors.suites.filter((s) => s.name !== 'errors never throw')) {
      // These two prove evaluator guards the schema makes unreachable: "proto" reads `constructor`,
      // "orphan" names a prerequisite flag that does not exist.
      const flags = suite.flags.filter((f) => f.key !== 'proto' && f.key !== 'orphan');
      const parsed = SnapshotSchema.safeParse({ environment: 'v', version: 1, flags, segments: suite.segments });
      expect(parsed.error?.issues ?? [], suite.name).toEqual([]);
    }
  });

  it('rejects a regex that does not compile, at the value', () => {
    expect(rejection(rule({ op: 'matches', values: ['(unclosed'] }))).toMatchObject({
      path: 'rules.0.conditions.0.values.0',
      message: expect.stringMatching(/does not compile/),
    });
  });

  it('rejects a regex that is too long', () => {
    expect(rejection(rule({ op: 'matches', values: ['a'.repeat(257)] })).message).toMatch(/longer than 256/);
  });

  it('accepts nested quantifiers, which RE2 runs in linear time', () => {
    for (const pattern of ['^(a+)+$', '^((a)+)+$', '^(\\w|\\d)+$'])
      expect(FlagDefinitionSchema.safeParse(rule({ op: 'matches', values: [pattern] })).success, pattern).toBe(true);
  });

  it.each([
    ['^(?=.*admin)', /lookahead "\(\?=", which the linear-time regex engine \(RE2\) does not support/],
    ['(?!x)y', /lookahead "\(\?!"/],
    ['(?<=@)example', /lookbehind "\(\?<="/],
    ['(?<!no-)reply', /lookbehind "\(\?<!"/],
    ['^(a)\\1$', /backreference "\\1"/],
    ['(?<x>a)\\k<x>', /backreference "\\k"/],
    ['caf\\u00e9', /write the code point as \\x\{00e9\}/],
    ['a{1001}', /does not compile: invalid repeat count/],
  ])('refuses %s, which the RE2 dialect cannot run, saying why', (pattern, message) => {
    expect(rejection(rule({ op: 'matches', values: [pattern] }))).toMatchObject({ path: 'rules.0.conditions.0.values.0', message });
  });

  it('rejects unknown variants wherever they are named', () => {
    expect(rejection({ ...base, offVariant: 'nope' }).path).toBe('offVariant');
    expect(rejection({ ...base, defaultServe: { split: [{ variant: 'x', weight: 100 }] } }).path).toBe('defaultServe.split.0.variant');
    expect(rejection({ ...base, targets: [{ values: ['u'], variant: 'x' }] }).path).toBe('targets.0.variant');
  });

  it('rejects weights that do not sum to 100%', () => {
    const flag = {
      ...base,
      defaultServe: {
        split: [
          { variant: 'on', weight: 5 },
          { variant: 'off', weight: 94.999 },
        ],
      },
    };
    expect(rejection(flag)).toEqual({ path: 'defaultServe.split', message: 'weights sum to 99.999%, not 100%' });
  });

  it('accepts weights to a thousandth of a percent and refuses finer ones', () => {
    const split = (on: number) => ({
      ...base,
      defaultServe: {
        split: [
          { variant: 'on', weight: on },
          { variant: 'off', weight: 100 - on },
        ],
      },
    });
    expect(FlagDefinitionSchema.safeParse(split(0.5)).success).toBe(true);
    expect(rejection(split(0.0005)).message).toMatch(/three decimals/);
  });

  it('rejects values of the wrong kind', () => {
    expect(rejection({ ...base, variants: { on: 'yes', off: false } })).toEqual({
      path: 'variants.on',
      message: 'variant "on" is not a boolean',
    });
  });

  it('rejects unknown fields, operators and wrong value counts', () => {
    expect(rejection({ ...base, colour: 'red' }).message).toMatch(/colour/);
    expect(rejection(rule({ op: 'near', values: ['x'] })).path).toBe('rules.0.conditions.0.op');
    expect(rejection(rule({ op: 'equals', values: ['a', 'b'] })).message).toBe('"equals" takes exactly one value');
    expect(rejection(rule({ op: 'gt', values: ['ten'] })).message).toMatch(/not one/);
    expect(rejection(rule({ op: 'semverGt', values: ['latest'] })).message).toMatch(/semantic version/);
    expect(rejection(rule({ op: 'before', values: ['someday'] })).message).toMatch(/not a date/);
  });

  it('rejects attribute names that would read Object.prototype', () => {
    expect(rejection({ ...base, bucketBy: '__proto__' }).path).toBe('bucketBy');
  });
});

describe('SnapshotSchema', () => {
  const snapshot = (flags: unknown[], segments?: unknown[]) => SnapshotSchema.safeParse({ environment: 'e', version: 1, flags, segments });
  const issues = (r: ReturnType<typeof snapshot>) => r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('rejects duplicate keys', () => {
    expect(issues(snapshot([base, base]))).toEqual(['flags.1.key: flag key "f" is used twice']);
  });

  it('rejects prerequisite cycles, naming the cycle', () => {
    const a = { ...base, key: 'a', prerequisites: [{ flag: 'b', variants: ['on'] }] };
    const b = { ...base, key: 'b', prerequisites: [{ flag: 'a', variants: ['on'] }] };
    expect(issues(snapshot([a, b]))).toEqual([
      'flags.0.prerequisites: prerequisite cycle a → b → a',
      'flags.1.prerequisites: prerequisite cycle a → b → a',
    ]);
  });

  it('rejects prerequisites on missing flags or variants, and unknown segments', () => {
    const a = { ...base, key: 'a', prerequisites: [{ flag: 'zz', variants: ['on'] }] };
    const b = { ...base, key: 'b', prerequisites: [{ flag: 'c', variants: ['maybe'] }] };
    const c = rule({ op: 'inSegment', values: ['nobody'] });
    expect(issues(snapshot([a, b, { ...c, key: 'c' }]))).toEqual([
      'flags.0.prerequisites.0.flag: prerequisite flag "zz" does not exist',
      'flags.1.prerequisites.0.variants.0: flag "c" has no variant "maybe"',
      'flags.2.rules.0.conditions.0.values.0: segment "nobody" does not exist',
    ]);
  });
});

describe('introducedIssues: a stricter rule does not block writes beside what was stored', () => {
  // Stored while RegExp ran regexes; RE2 refuses the lookahead now.
  const legacy = { ...rule({ op: 'matches', values: ['^(?!test)'] }), key: 'legacy' };
  const other = { ...base, key: 'other' };
  const env = (flags: FlagDefinition[]) => ({ environment: 'e', version: 1, flags });

  it('lists what is stored, ignores it in a write to another flag, and refuses what the write adds', () => {
    const before = env([legacy as FlagDefinition, other]);
    expect(storedIssues(before).map((i) => i.path.join('.'))).toEqual(['flags.0.rules.0.conditions.0.values.0']);
    const fine = env([legacy as FlagDefinition, { ...other, enabled: false }]);
    expect(introducedIssues(before, fine, storedIssues(fine))).toEqual([]);
    const worse = env([legacy as FlagDefinition, { ...rule({ op: 'matches', values: ['(a)\\1'] }), key: 'other' } as FlagDefinition]);
    expect(introducedIssues(before, worse, storedIssues(worse)).map((i) => i.path.join('.'))).toEqual([
      'flags.1.rules.0.conditions.0.values.0',
    ]);
  });

  it('matches stored issues by key, so a write that moves a flag does not count them as new', () => {
    const before = env([legacy as FlagDefinition, other]);
    const moved = env([other, legacy as FlagDefinition]);
    expect(introducedIssues(before, moved, storedIssues(moved))).toEqual([]);
  });
});

describe('JsonValueSchema', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it('refuses a value nested 10,000 deep instead of overflowing the stack', () => {
    expect(() => JsonValueSchema.safeParse(nested(10_000))).not.toThrow();
    expect(JsonValueSchema.safeParse(nested(10_000)).success).toBe(false);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(JsonValueSchema.safeParse(nested(MAX_JSON_DEPTH)).success).toBe(true);
    expect(JsonValueSchema.safeParse(nested(MAX_JSON_DEPTH + 1)).success).toBe(false);
  });

  it('refuses prototype keys, non-finite numbers and non-plain objects', () => {
    for (const bad of [JSON.parse('{"a":{"__proto__":{"x":1}}}'), { constructor: 1 }, { n: Number.NaN }, new Date(0), () => 1, undefined]) {
      expect(JsonValueSchema.safeParse(bad).success, String(bad)).toBe(false);
    }
    expect(JsonValueSchema.safeParse({ a: [1, 'b', null, true, { c: 2.5 }] }).success).toBe(true);
  });
});
