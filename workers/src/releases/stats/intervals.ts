/** Confidence intervals for the evidence shown with each decision (display, not decision rules). */

export const Z95 = 1.959963984540054;

/** Wilson score interval of a proportion k/n; null when n is 0. */
export function wilson(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Interval of the error-rate ratio λ from treatment's share of errors: given e errors, treatment's
 * count is Binomial(e, λ·nT/(λ·nT + nC)), so a Wilson interval on the share maps onto λ.
 */
export function ratioInterval(eT: number, eC: number, nT: number, nC: number): [number, number] | null {
  const e = eT + eC;
  const share = wilson(eT, e);
  if (!share || nT <= 0 || nC <= 0) return null;
  const toRatio = (p: number) => (p >= 1 ? null : (p / (1 - p)) * (nC / nT));
  const lo = toRatio(share[0]);
  const hi = toRatio(share[1]);
  return lo === null || hi === null ? null : [lo, hi];
}

/** Interval of a ratio of two Poisson rates (x events over n requests each), on the log scale. */
export function rateRatioInterval(xT: number, nT: number, xC: number, nC: number, z = Z95): [number, number] | null {
  if (xT <= 0 || xC <= 0 || nT <= 0 || nC <= 0) return null;
  const log = Math.log(xT / nT / (xC / nC));
  const se = Math.sqrt(1 / xT + 1 / xC);
  return [Math.exp(log - z * se), Math.exp(log + z * se)];
}

/** The ranks between which the q-quantile of n values lies with 95% confidence, as quantiles. */
export function quantileRankInterval(q: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const half = z * Math.sqrt((q * (1 - q)) / n);
  return [Math.max(0, q - half), Math.min(1, q + half)];
}
