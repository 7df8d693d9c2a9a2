import { describe, expect, it } from 'vitest';
import { bucketOf, compileSnapshot, murmur3, saltSeed } from '../src/index.ts';
import { vectors } from './vectors.ts';

// Runs unchanged in Node and inside workerd (see vitest.workerd.config.ts).
describe(`test vectors ${vectors.specVersion}`, () => {
  it.each(vectors.hash)('murmur3($input, $seed) = $hash', ({ input, seed, hash }) => {
    expect(murmur3(input, seed)).toBe(hash);
  });

  it.each(vectors.bucket)('bucket of $value under salt $salt is $bucket', ({ salt, value, bucket }) => {
    expect(bucketOf(value, saltSeed(salt))).toBe(bucket);
  });

  for (const suite of vectors.suites) {
    describe(suite.name, () => {
      const snapshot = compileSnapshot({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
      it.each(suite.cases)('$name', (c) => {
        const result = c.default === undefined ? snapshot.evaluate(c.flag, c.context) : snapshot.evaluate(c.flag, c.context, c.default);
        for (const [field, want] of Object.entries(c.expect)) expect(result[field as keyof typeof result], field).toEqual(want);
        if (c.expect.reason !== 'ERROR') expect(result.errorCode).toBeUndefined();
      });
    });
  }
});
