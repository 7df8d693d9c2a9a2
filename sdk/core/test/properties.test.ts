import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSnapshot, type FlagDefinition, type FlagSnapshot } from '../src/index.ts';

const rollout = (key: string, percent: number, variants: [string, string] = ['on', 'off']): FlagDefinition => ({
  key,
  kind: 'boolean',
  variants: { [variants[0]]: true, [variants[1]]: false },
  enabled: true,
  offVariant: variants[1],
  defaultServe: {
    split: [
      { variant: variants[0], weight: percent },
      { variant: variants[1], weight: Math.round((100 - percent) * 1000) / 1000 },
    ],
  },
});

const snap = (...flags: FlagDefinition[]): FlagSnapshot => compileSnapshot({ environment: 'test', version: 1, flags });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
const percent = fc.integer({ min: 0, max: 100_000 }).map((b) => b / 1000);

describe('bucketing properties', () => {
  it('gives the same answer for the same flag and context, across compilations', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), percent, (key, id, p) => {
        const flag = rollout(key.replace(/[^A-Za-z0-9]/g, '') || 'k', p);
        expect(snap(flag).evaluate(flag.key, { targetingKey: id })).toEqual(snap(flag).evaluate(flag.key, { targetingKey: id }));
      }),
    );
  });

  it('keeps users already in when the percentage rises', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), percent, percent, (id, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const before = snap(rollout('f', low)).evaluate('f', { targetingKey: id }).value;
        const after = snap(rollout('f', high)).evaluate('f', { targetingKey: id }).value;
        if (before === true) expect(after).toBe(true);
      }),
    );
  });

  it('keeps every user in their variant when the split is listed the other way round and grows', () => {
    // [off, on]: "on" owns the top of the range, so growing it only moves users from off to on.
    const grow = (p: number): FlagDefinition => ({
      ...rollout('g', 0),
      defaultServe: {
        split: [
          { variant: 'off', weight: Math.round((100 - p) * 1000) / 1000 },
          { variant: 'on', weight: p },
        ],
      },
    });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), percent, percent, (id, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        if (snap(grow(low)).evaluate('g', { targetingKey: id }).value === true) {
          expect(snap(grow(high)).evaluate('g', { targetingKey: id }).value).toBe(true);
        }
      }),
    );
  });

  it('buckets two flags independently', () => {
    const s = snap(rollout('first', 50), rollout('second', 50));
    let both = 0;
    let first = 0;
    for (const id of ids(100_000)) {
      const a = s.evaluate('first', { targetingKey: id }).value === true;
      const b = s.evaluate('second', { targetingKey: id }).value === true;
      if (a) first++;
      if (a && b) both++;
    }
    // Independent halves overlap on a quarter; correlated ones would sit near 0 or 50%.
    expect(both / 100_000).toBeCloseTo(0.25, 2);
    expect(first / 100_000).toBeCloseTo(0.5, 2);
  });

  it('serves split proportions within tolerance over 100,000 ids', () => {
    const s = compileSnapshot({
      environment: 'test',
      version: 1,
      flags: [
        {
          key: 'abc',
          kind: 'string',
          variants: { a: 'a', b: 'b', c: 'c' },
          enabled: true,
          offVariant: 'a',
          defaultServe: {
            split: [
              { variant: 'a', weight: 20 },
              { variant: 'b', weight: 30 },
              { variant: 'c', weight: 50 },
            ],
          },
        },
      ],
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const id of ids(100_000)) counts[s.evaluate('abc', { targetingKey: id }).variant!]! += 1;
    expect(counts.a! / 1000).toBeGreaterThan(19);
    expect(counts.a! / 1000).toBeLessThan(21);
    expect(counts.b! / 1000).toBeGreaterThan(29);
    expect(counts.b! / 1000).toBeLessThan(31);
    expect(counts.c! / 1000).toBeGreaterThan(49);
    expect(counts.c! / 1000).toBeLessThan(51);
  });
});

describe('evaluation never throws', () => {
  const attribute = fc.oneof(
    fc.constantFrom('targetingKey', 'userId', 'plan', 'country', 'constructor', '__proto__', 'toString'),
    fc.string(),
  );
  const anyContext = fc.oneof(fc.dictionary(attribute, fc.anything()), fc.anything()) as fc.Arbitrary<never>;
  const condition = fc.record({
    attribute,
    op: fc.oneof(
      fc.constantFrom('equals', 'in', 'matches', 'lt', 'before', 'semverGt', 'exists', 'inSegment', 'notIn', 'emailDomain'),
      fc.string(),
    ),
    values: fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.anything())),
    caseInsensitive: fc.option(fc.boolean(), { nil: undefined }),
  });
  const serve = fc.oneof(
    fc.record({ variant: fc.constantFrom('on', 'off', 'x') }),
    fc.record({ split: fc.array(fc.record({ variant: fc.constantFrom('on', 'off', 'x'), weight: fc.double() })) }),
    fc.anything(),
  );
  const definition = fc.record({
    key: fc.constantFrom('a', 'b', 'c'),
    kind: fc.constantFrom('boolean', 'string', 'number', 'json', 'nonsense'),
    variants: fc.oneof(fc.constant({ on: true, off: false }), fc.dictionary(fc.string(), fc.anything())),
    enabled: fc.anything(),
    offVariant: fc.constantFrom('on', 'off', 'x'),
    prerequisites: fc.option(fc.array(fc.record({ flag: fc.constantFrom('a', 'b', 'c'), variants: fc.array(fc.string()) }))),
    targets: fc.option(
      fc.array(fc.record({ attribute: fc.option(attribute, { nil: undefined }), values: fc.array(fc.string()), variant: fc.string() })),
    ),
    rules: fc.option(fc.array(fc.record({ conditions: fc.array(condition), serve }))),
    defaultServe: serve,
    bucketBy: fc.option(attribute, { nil: undefined }),
  }) as fc.Arbitrary<never>;

  it('returns a result with a known reason for arbitrary definitions and contexts', () => {
    fc.assert(
      fc.property(fc.array(definition, { maxLength: 4 }), anyContext, fc.anything(), (flags, ctx, fallback) => {
        const s = compileSnapshot({ environment: 'fuzz', version: 1, flags, segments: [{ key: 's', rules: [[]] }] });
        for (const key of ['a', 'b', 'c', 'missing']) {
          const r = s.evaluate(key, ctx, fallback as never);
          expect(['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR']).toContain(r.reason);
          if (r.reason === 'ERROR') expect(r.errorCode).toBeTypeOf('string');
        }
        expect(() => s.evaluateAll(ctx)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
