import { describe, expect, it } from 'vitest';
import { expectedErrorsToRollback, indifferenceRatio, llrDriftPerError, sprtBounds, stageAlpha, windowLlr } from './sprt.ts';

describe('the conditional-binomial SPRT', () => {
  it("is the log-likelihood ratio of treatment's share of a window's errors, H1 λ1 against H0 λ = 1", () => {
    const cases: [number, number, number, number, number][] = [
      [16, 2, 297, 3, 2],
      [300, 0, 300, 4, 2],
      [50, 5, 50, 1, 3],
      [1, 1, 1000, 0, 1.5],
    ];
    for (const [nT, eT, nC, eC, l1] of cases) {
      const p0 = nT / (nT + nC);
      const p1 = (l1 * nT) / (l1 * nT + nC);
      const direct = eT * Math.log(p1 / p0) + eC * Math.log((1 - p1) / (1 - p0));
      expect(windowLlr(nT, eT, nC, eC, l1)).toBeCloseTo(direct, 12);
    }
  });

  it('learns nothing from a window without both variants or without errors', () => {
    expect(windowLlr(0, 0, 100, 3, 2)).toBe(0);
    expect(windowLlr(100, 3, 0, 0, 2)).toBe(0);
    expect(windowLlr(100, 0, 100, 0, 2)).toBe(0);
  });

  it('spends α/2, α/4, α/8 … per stage, so a release of any length spends at most α', () => {
    expect([0, 1, 2].map((k) => stageAlpha(0.05, k))).toEqual([0.025, 0.0125, 0.00625]);
    const total = Array.from({ length: 20 }, (_, k) => stageAlpha(0.05, k)).reduce((a, b) => a + b);
    expect(total).toBeLessThanOrEqual(0.05);
    const { upper, lower } = sprtBounds(0.05, 0.8, 0);
    expect(upper).toBeCloseTo(Math.log(40), 12);
    expect(lower).toBeCloseTo(Math.log(0.2), 12);
  });

  it('drifts neither way at the indifference ratio, which lies between no change and 2×', () => {
    for (const share of [0.01, 0.05, 0.25, 0.5]) {
      const r = indifferenceRatio(share, 2) as number;
      expect(r).toBeGreaterThan(1);
      expect(r).toBeLessThan(2);
      expect(Math.abs(llrDriftPerError(share, r, 2))).toBeLessThan(1e-12);
      expect(llrDriftPerError(share, 1, 2)).toBeLessThan(0);
      expect(llrDriftPerError(share, 2, 2)).toBeGreaterThan(0);
    }
    // For a small share it tends to (λ1 − 1)/ln λ1.
    expect(indifferenceRatio(0.001, 2)).toBeCloseTo(1 / Math.log(2), 2);
  });

  it("needs about 81 errors to roll back seed 001's 3× at 5%, and never at no change", () => {
    expect(expectedErrorsToRollback(0.05, 3, 2, Math.log(40))).toBeCloseTo(80.7, 1);
    expect(expectedErrorsToRollback(0.05, 1, 2, Math.log(40))).toBe(Number.POSITIVE_INFINITY);
  });
});
