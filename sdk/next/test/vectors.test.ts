// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/next's public API: the
// middleware downloads the suite as its snapshot (through its `fetch`) and evaluates each case's
// context; a Server Component's `readFlags` then reads the answer (`get`, `value`, `variant`,
// `isEnabled`), including its own handling of the caller's fallback.
import { describe, expect, it } from 'vitest';
import { coreValue, expectedRead, FALLBACKS } from '../../browser/test/vector-reads.ts';
import { vectors } from '../../core/test/vectors.ts';
import { createEdgeflagsMiddleware } from '../src/index.ts';
import { runMiddleware } from './middleware-harness.ts';

describe.each(vectors.suites)(`vectors ${vectors.specVersion} through @edgeflags/next: $name`, (suite) => {
  const kinds = new Map(suite.flags.map((f) => [f.key, f.kind]));
  const core = coreValue(suite);
  const snapshot = JSON.stringify({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });

  it.each(suite.cases)('$name', async (c) => {
    const errors: string[] = [];
    const middleware = createEdgeflagsMiddleware({
      url: 'http://vectors.invalid',
      serverKey: 'efs_vectors',
      fetch: (async () => new Response(snapshot, { headers: { etag: '"1"' } })) as typeof fetch,
      context: () => c.context,
      cookie: false,
      exposures: false,
      onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    });
    const { flags } = await runMiddleware(middleware);
    const isObject = typeof c.context === 'object' && c.context !== null && !Array.isArray(c.context);
    expect(errors).toEqual(
      isObject ? [] : ['edgeflags: the middleware context() must return an object; every flag answers INVALID_CONTEXT'],
    );
    expect(flags.evaluated).toBe(true);
    const result = flags.get(c.flag);
    const { found, fields } = expectedRead(c);
    if (!found) expect(result).toBeUndefined();
    else if (c.default === undefined || c.expect.errorCode !== 'TYPE_MISMATCH') expect(result).toMatchObject(fields);
    if (c.default !== undefined && 'value' in c.expect) expect(flags.value(c.flag, c.default)).toEqual(c.expect.value);
    if (c.default === undefined) {
      // The caller's fallback is handled by core's rule, whatever its type (null, arrays included).
      for (const fallback of FALLBACKS)
        expect(flags.value(c.flag, fallback as never), JSON.stringify(fallback)).toEqual(core(c.flag, c.context, fallback));
      if ('variant' in c.expect) expect(flags.variant(c.flag)).toEqual(c.expect.variant);
      if (kinds.get(c.flag) === 'boolean' && 'value' in c.expect) expect(flags.isEnabled(c.flag)).toBe(c.expect.value === true);
    }
  });
});

describe('a context core refuses is refused for every flag', () => {
  it.each([
    ['an array', ['targetingKey', 'u-1']],
    ['a string', 'u-1'],
    ['null', null],
  ])('context() returning %s: INVALID_CONTEXT everywhere, reads answer fallbacks', async (_, bad) => {
    const suite = vectors.suites[0]!;
    const snapshot = JSON.stringify({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
    const errors: string[] = [];
    const middleware = createEdgeflagsMiddleware({
      url: 'http://vectors.invalid',
      serverKey: 'efs_vectors',
      fetch: (async () => new Response(snapshot)) as typeof fetch,
      context: () => bad as never,
      exposures: false,
      onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    });
    const { flags } = await runMiddleware(middleware);
    expect(flags.evaluated).toBe(true);
    for (const flag of suite.flags) {
      expect(flags.get(flag.key)).toMatchObject({ value: null, reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
      expect(flags.value(flag.key, 'fallback')).toBe('fallback');
    }
    expect(flags.context).toEqual({});
    expect(errors).toEqual(['edgeflags: the middleware context() must return an object; every flag answers INVALID_CONTEXT']);
  });
});
