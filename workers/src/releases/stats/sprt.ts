/**
 * Wald's sequential probability ratio test on the conditional binomial, read with Ville's
 * inequality so that both of its guarantees hold under any number of looks (docs/releases.md,
 * Statistics).
 *
 * Given e errors in a window with n_t treatment and n_c control requests, and errors arriving as
 * Poisson processes with rates proportional to requests, the treatment's errors are
 * Binomial(e, p) with p = λ·n_t / (λ·n_t + n_c), where λ is the ratio of treatment's error rate to
 * control's. The baseline rate cancels out: nothing is estimated, so the likelihood ratio of
 * H1: λ = λ1 against H0: λ = 1 is exact, and its product over windows is a martingale under H0
 * (and its inverse one under H1) whatever the traffic, the stage's percentage or when anyone looks.
 *
 * @example
 * let llr = 0;
 * for (const w of windows) llr += windowLlr(w.nT, w.eT, w.nC, w.eC, 2);
 * const { upper, lower } = sprtBounds(0.05, 0.8, 0);
 * if (llr >= upper) rollBack(); else if (llr <= lower) healthy();
 */

/** One window's log-likelihood ratio, H1: λ = λ1 against H0: λ = 1. Zero without both variants. */
export function windowLlr(nT: number, eT: number, nC: number, eC: number, lambda1: number): number {
  if (nT <= 0 || nC <= 0 || eT + eC === 0) return 0;
  // ln((1 − p1)/(1 − p0)); ln(p1/p0) is the same plus ln λ1.
  const shift = Math.log((nT + nC) / (lambda1 * nT + nC));
  return eT * Math.log(lambda1) + (eT + eC) * shift;
}

/**
 * The share of the release's α a stage's test may spend: α/2, α/4, α/8 … so the release as a
 * whole spends at most α, however many stages it has, and the first stage (the smallest blast
 * radius, seed 001's 5%) gets the most.
 */
export function stageAlpha(alpha: number, stageIndex: number): number {
  return alpha / 2 ** (Math.max(0, stageIndex) + 1);
}

/**
 * Roll back at llr ≥ ln(1/α_stage): by Ville's inequality, under H0 the likelihood ratio ever
 * reaches 1/α_stage with probability ≤ α_stage, however long the stage runs and however often
 * it is read. Healthy at llr ≤ ln(1 − power): under H1 the inverse ratio ever reaches 1/(1 − power)
 * with probability ≤ 1 − power, so a true λ1 regression passes as healthy with at most that chance.
 */
export function sprtBounds(alpha: number, power: number, stageIndex: number): { upper: number; lower: number; alphaStage: number } {
  const alphaStage = stageAlpha(alpha, stageIndex);
  return { upper: Math.log(1 / alphaStage), lower: Math.log(1 - power), alphaStage };
}

/**
 * The true ratio at which the expected llr per error is zero, for a treatment share s of requests:
 * below it the test drifts to healthy, above it to rollback. For small s it tends to
 * (λ1 − 1)/ln λ1: 1.44 for λ1 = 2. This is the rollback threshold between no change and λ1.
 */
export function indifferenceRatio(share: number, lambda1: number): number | null {
  if (!(share > 0 && share < 1) || !(lambda1 > 1)) return null;
  const p0 = share;
  const p1 = (lambda1 * share) / (lambda1 * share + 1 - share);
  const up = Math.log(p1 / p0);
  const down = Math.log((1 - p0) / (1 - p1));
  const p = down / (up + down);
  return (p * (1 - p0)) / (p0 * (1 - p));
}

/** Expected llr per error when the true ratio is `lambda`, for treatment share `share`. */
export function llrDriftPerError(share: number, lambda: number, lambda1: number): number {
  const pTrue = (lambda * share) / (lambda * share + 1 - share);
  const p1 = (lambda1 * share) / (lambda1 * share + 1 - share);
  return pTrue * Math.log(p1 / share) + (1 - pTrue) * Math.log((1 - p1) / (1 - share));
}

/**
 * Wald's expected sample number in errors (both variants) before the llr reaches `upper`, when the
 * true ratio is `lambda` and the treatment has `share` of requests; overshoot ignored, so slightly
 * low. Divide by errors per minute for a time: seed 001's 3× at 5% needs 80.7 errors, 23.5 min.
 */
export function expectedErrorsToRollback(share: number, lambda: number, lambda1: number, upper: number): number {
  const drift = llrDriftPerError(share, lambda, lambda1);
  return drift > 0 ? upper / drift : Number.POSITIVE_INFINITY;
}
