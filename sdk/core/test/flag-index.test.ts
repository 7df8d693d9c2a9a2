import { describe, expect, it } from 'vitest';
import { compileSnapshot, type EvaluationContext, type FlagDefinition } from '../src/index.ts';

/**
 * The snapshot indexes its flags in a null-prototype object (faster than a Map among 1,000
 * keys, see snapshot.ts): keys that name Object.prototype members or look like array indices
 * must still resolve to their own flag, and nothing else may resolve at all.
 */
const flag = (key: string, value: string): FlagDefinition => ({
  key,
  kind: 'string',
  variants: { v: value },
  enabled: true,
  offVariant: 'v',
  defaultServe: { variant: 'v' },
});

const ctx: EvaluationContext = { targetingKey: 'u1' };
const AWKWARD = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '4294967295', '', 'a.b', 'length'];

describe('flag index', () => {
  it('resolves keys that name prototype members or look like indices to their own flag', () => {
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags: AWKWARD.map((k) => flag(k, `value of ${k}`)) });
    for (const key of AWKWARD) {
      expect(snapshot.evaluate(key, ctx, 'default')).toMatchObject({ key, value: `value of ${key}`, variant: 'v' });
    }
  });

  it('answers FLAG_NOT_FOUND for prototype member names it does not hold', () => {
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags: [flag('a', 'x')] });
    for (const key of ['__proto__', 'constructor', 'toString', 'valueOf', '0']) {
      expect(snapshot.evaluate(key, ctx, 'default')).toMatchObject({ value: 'default', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    }
  });

  it('does not coerce a non-string key from a JS caller into a flag name', () => {
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags: [flag('0', 'zero'), flag('[object Object]', 'obj')] });
    const loose = snapshot.evaluate as (key: unknown, ctx: EvaluationContext, d: string) => { errorCode?: string };
    expect(loose.call(snapshot, 0, ctx, 'd').errorCode).toBe('FLAG_NOT_FOUND');
    expect(loose.call(snapshot, {}, ctx, 'd').errorCode).toBe('FLAG_NOT_FOUND');
  });

  it('keeps every one of 1,000 flags apart once the index is in dictionary mode', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `flag-${i}`);
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags: keys.map((k) => flag(k, k.toUpperCase())) });
    for (const key of keys) expect(snapshot.evaluate(key, ctx, '').value).toBe(key.toUpperCase());
  });
});
