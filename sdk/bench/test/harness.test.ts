import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { freshLoop } from '../src/harness.ts';

// V8 natives (%OptimizeFunctionOnNextCall, %GetOptimizationStatus), parsed by `new Function` below.
setFlagsFromString('--allow-natives-syntax');
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
/** Bit 4 of %GetOptimizationStatus: the function runs optimized code. */
const OPTIMIZED = 1 << 4;

describe('freshLoop', () => {
  it('gives every runner its own call site: an optimized loop is not shared with the next one', () => {
    const contexts = [{}, {}];
    const on = () => true;
    freshLoop('sync')(on, contexts, 1, 2); // the first of a source is never cached, so prime it
    const first = freshLoop('sync');
    prepare(first);
    first(on, contexts, 1, 4);
    optimizeNext(first);
    expect(first(on, contexts, 1, 4)).toBe(4);
    expect(status(first) & OPTIMIZED).toBe(OPTIMIZED);
    // V8 caches `new Function` by source together with its feedback and optimized code: a loop
    // built from the same text would run `first`'s optimized code from its first call on.
    const second = freshLoop('sync');
    expect(second(on, contexts, 1, 2)).toBe(2);
    expect(status(second) & OPTIMIZED).toBe(0);
  });
});
