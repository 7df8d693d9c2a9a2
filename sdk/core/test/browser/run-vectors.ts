// Bundled for the browser by vectors.chromium.test.ts: computes every vector with the core as a
// browser runs it and hands the raw answers back, so Node can compare them case by case.
import { bucketOf, compileSnapshot, murmur3, saltSeed } from '../../src/index.ts';
import { vectors } from '../vectors.ts';

export interface BrowserAnswers {
  hash: number[];
  bucket: number[];
  /** Per suite, per case: the evaluation result as JSON. */
  suites: Record<string, unknown>[][];
}

function run(): BrowserAnswers {
  return {
    hash: vectors.hash.map(({ input, seed }) => murmur3(input, seed)),
    bucket: vectors.bucket.map(({ salt, value }) => bucketOf(value, saltSeed(salt))),
    suites: vectors.suites.map((suite) => {
      const snapshot = compileSnapshot({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
      return suite.cases.map((c) => {
        const r = c.default === undefined ? snapshot.evaluate(c.flag, c.context) : snapshot.evaluate(c.flag, c.context, c.default);
        return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
      });
    }),
  };
}

(globalThis as { runVectors?: () => BrowserAnswers }).runVectors = run;
