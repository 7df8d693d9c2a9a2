/**
 * Random variates for the simulation from a uniform source (a seeded PRNG in the tests). Errors
 * are drawn exactly (binomial by inversion: their means are a few per window); request counts of
 * large mean by the normal approximation, which is harmless because the ratio test conditions on
 * them.
 */
export type Uniform = () => number;

/** Above this mean a count is drawn from its normal approximation. */
const EXACT_MEAN = 30;

function normal(u: Uniform): number {
  // Box–Muller; 1 − u() keeps the log's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const roundedNormal = (u: Uniform, mean: number, variance: number, max: number) =>
  Math.min(max, Math.max(0, Math.round(mean + Math.sqrt(variance) * normal(u))));

/** Binomial(n, p): exact inversion for small means, normal approximation above EXACT_MEAN. */
export function binomial(u: Uniform, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n * p > EXACT_MEAN && n * (1 - p) > EXACT_MEAN) return roundedNormal(u, n * p, n * p * (1 - p), n);
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = q ** n;
  let x = 0;
  let left = u();
  while (left > r && x < n) {
    left -= r;
    x++;
    r *= a / x - s;
  }
  return x;
}

/** Poisson(mean): exact inversion for small means, normal approximation above EXACT_MEAN. */
export function poisson(u: Uniform, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > EXACT_MEAN) return roundedNormal(u, mean, mean, Number.POSITIVE_INFINITY);
  let r = Math.exp(-mean);
  let x = 0;
  let left = u();
  while (left > r && x < 10 * EXACT_MEAN) {
    left -= r;
    x++;
    r *= mean / x;
  }
  return x;
}
