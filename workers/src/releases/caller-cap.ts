/**
 * How much of a window one caller may contribute: the largest c with
 *   c ≤ share · (fixed + Σᵢ min(xᵢ, c)),  then at most `absolute`,
 * i.e. after capping, no caller holds more than `share` of the window's total. Measuring the
 * share against the capped total is the point: against the raw total, a caller sending 1,000×
 * everyone else would be "10%" of a total it made itself. `fixed` is the part that is not capped
 * (server-sourced data). With fewer than 1/share callers and nothing fixed, no c > 0 qualifies,
 * so a handful of browsers cannot decide a release on their own.
 *
 * Sort descending; if the top k callers are capped at c, then c = share·(fixed + R) / (1 − k·share)
 * where R sums the others, and it must lie between the (k+1)-th and k-th largest. The first k
 * that fits gives the largest c (g(c) = share·(fixed + Σ min(xᵢ, c)) is concave).
 */
export function callerCap(contributions: readonly number[], share: number, fixed: number, absolute: number): number {
  const x = contributions.filter((v) => v > 0).sort((a, b) => b - a);
  let rest = fixed + x.reduce((t, v) => t + v, 0);
  for (let k = 0; k <= x.length; k++) {
    const denominator = 1 - k * share;
    if (denominator <= 0) break;
    const c = k === 0 ? Number.POSITIVE_INFINITY : (share * rest) / denominator;
    const above = k === 0 ? Number.POSITIVE_INFINITY : (x[k - 1] as number);
    const below = k < x.length ? (x[k] as number) : 0;
    // k = 0: nobody is capped when the largest already fits within its share of the total.
    const fits = k === 0 ? below <= share * rest : c <= above && c >= below;
    if (fits) return Math.min(c, absolute);
    if (k < x.length) rest -= x[k] as number;
  }
  return 0;
}

/** Per caller, the fraction of its contribution kept under `cap`. */
export function capWeights(contributions: ReadonlyMap<string, number>, cap: number): Map<string, number> {
  const weights = new Map<string, number>();
  for (const [caller, x] of contributions) weights.set(caller, x <= cap ? 1 : cap / x);
  return weights;
}
