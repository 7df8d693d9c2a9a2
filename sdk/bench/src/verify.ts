import { isRolloutCountry, type User } from './contexts.ts';
import { ROLLOUT_PERCENT } from './flags.ts';
import type { Evaluators } from './sdk.ts';

/** How far an SDK's on-rate among US/GB users may stray from ROLLOUT_PERCENT (percentage points). */
export const ROLLOUT_TOLERANCE = 6;

export interface Verdict {
  /** Users the simple flag is on for (must be all). */
  simpleOn: number;
  /** Users the rollout flag is on for: what each timed batch must reproduce per pass. */
  rolloutOn: number;
  eligible: number;
  eligibleOn: number;
  /** Users outside US/GB the rollout flag is on for (must be none). */
  leaked: number;
  problems: string[];
}

/** Evaluates both flags for every user once, before any timing, and says what is wrong. */
export async function verify(ev: Evaluators, users: readonly User[]): Promise<Verdict> {
  const v: Verdict = { simpleOn: 0, rolloutOn: 0, eligible: 0, eligibleOn: 0, leaked: 0, problems: [] };
  const bad = new Set<string>();
  for (const [i, user] of users.entries()) {
    const ctx = ev.contexts[i];
    const simple: unknown = await ev.simple(ctx);
    const rollout: unknown = await ev.rollout(ctx);
    if (typeof simple !== 'boolean' || typeof rollout !== 'boolean') bad.add(`${typeof simple}/${typeof rollout}`);
    if (simple === true) v.simpleOn++;
    if (rollout === true) v.rolloutOn++;
    if (isRolloutCountry(user)) {
      v.eligible++;
      if (rollout === true) v.eligibleOn++;
    } else if (rollout === true) {
      v.leaked++;
    }
  }
  if (bad.size > 0) v.problems.push(`returned non-booleans (${[...bad].join(', ')})`);
  if (v.simpleOn !== users.length) v.problems.push(`simple flag on for ${v.simpleOn}/${users.length} users, expected all`);
  if (v.leaked > 0) v.problems.push(`rollout flag on for ${v.leaked} users outside US/GB`);
  const rate = v.eligible === 0 ? 0 : (100 * v.eligibleOn) / v.eligible;
  if (Math.abs(rate - ROLLOUT_PERCENT) > ROLLOUT_TOLERANCE) {
    v.problems.push(`rollout on for ${rate.toFixed(1)}% of US/GB users, expected ${ROLLOUT_PERCENT}% ± ${ROLLOUT_TOLERANCE}`);
  }
  return v;
}
