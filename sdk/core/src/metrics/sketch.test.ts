import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySketch, SKETCH_MAX_BUCKETS, type SketchData } from './sketch.ts';

const ALPHA = 0.02;
// A bucket boundary can land one bucket up after floating-point log: the error is then exactly α.
const TOLERANCE = ALPHA + 1e-9;

const latency = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
const values = fc.array(fc.oneof(latency, fc.constant(0)), { minLength: 1, maxLength: 400 });
const quantiles = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 });

const sketchOf = (xs: readonly number[]) => {
  const s = new LatencySketch(ALPHA);
  for (const x of xs) s.add(x);
  return s;
};
/** The exact value at the rank the sketch answers for: ⌊q·(n − 1)⌋ of the sorted data. */
const exact = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] as number;
const within = (estimate: number | undefined, truth: number) =>
  truth === 0 ? estimate === 0 : Math.abs((estimate as number) - truth) <= TOLERANCE * truth;

describe('LatencySketch', () => {
  it('answers every quantile within the relative accuracy of the exact one', () => {
    fc.assert(
      fc.property(values, quantiles, (xs, qs) => {
        const s = sketchOf(xs);
        for (const q of qs) expect(within(s.quantile(q), exact(xs, q))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('merges exactly: the merge of two sketches is the sketch of both data sets', () => {
    fc.assert(
      fc.property(values, values, (xs, ys) => {
        const merged = sketchOf(xs);
        merged.merge(sketchOf(ys));
        const { s, ...rest } = merged.toJSON();
        const { s: sum, ...both } = sketchOf([...xs, ...ys]).toJSON();
        expect(rest).toEqual(both);
        // Only the float sum may differ, by the order of additions.
        expect(Math.abs(s - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, sum));
      }),
      { numRuns: 200 },
    );
  });

  it('survives its wire form: from(toJSON()) answers the same quantiles', () => {
    fc.assert(
      fc.property(values, quantiles, (xs, qs) => {
        const s = sketchOf(xs);
        const wire: SketchData = JSON.parse(JSON.stringify(s));
        const back = LatencySketch.from(wire);
        expect(back.toJSON()).toEqual(s.toJSON());
        for (const q of qs) expect(back.quantile(q)).toBe(s.quantile(q));
      }),
      { numRuns: 100 },
    );
  });

  it('stays within 2,048 buckets and keeps the high quantiles accurate when it collapses', () => {
    // Values spread over a ratio of e^120: about 3,000 distinct buckets before collapsing.
    const xs = Array.from({ length: 6_000 }, (_, i) => Math.exp(-60 + (120 * i) / 5_999));
    const s = sketchOf(xs);
    expect(Object.keys(s.toJSON().b).length).toBeLessThanOrEqual(SKETCH_MAX_BUCKETS);
    expect(s.count).toBe(6_000);
    for (const q of [0.5, 0.95, 0.99, 1]) expect(within(s.quantile(q), exact(xs, q))).toBe(true);
  });

  it('collapses consistently: merge then collapse equals collapse then merge', () => {
    const spread = (from: number, n: number) => Array.from({ length: n }, (_, i) => Math.exp(from + i * 0.05));
    const xs = spread(-60, 1_500);
    const ys = spread(-20, 1_500);
    const merged = sketchOf(xs);
    merged.merge(sketchOf(ys));
    const { s, ...a } = merged.toJSON();
    const { s: s2, ...b } = sketchOf([...xs, ...ys]).toJSON();
    expect(a).toEqual(b);
    expect(s).toBeCloseTo(s2, 3);
  });

  it('ignores NaN and infinities, counts values ≤ 0 as zero, and answers undefined when empty or q is out of range', () => {
    const s = new LatencySketch();
    expect(s.quantile(0.5)).toBeUndefined();
    s.add(Number.NaN);
    s.add(Number.POSITIVE_INFINITY);
    expect(s.count).toBe(0);
    s.add(-3);
    s.add(0);
    s.add(100);
    expect(s.count).toBe(3);
    expect(s.quantile(0)).toBe(0);
    expect(s.quantile(1)).toBeCloseTo(100, -1);
    expect(s.quantile(1.5)).toBeUndefined();
    expect(s.quantile(Number.NaN)).toBeUndefined();
  });

  it('refuses to merge sketches whose buckets do not line up', () => {
    expect(() => new LatencySketch(0.02).merge(new LatencySketch(0.01))).toThrow(RangeError);
  });
});
