import type { Actor } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { ACTIVE_STATUSES, isEngine, livePlanOf, transition } from './plan-store.ts';

/**
 * A person's targeting edit of a flag under a live release plan would silently fight the
 * conductor (its next step rewrites the rollout), so it is refused; the protective move (kill
 * switch, rollback) never comes here. Pause and abort, or roll back, to edit by hand.
 */
export async function refuseUnderLivePlan(db: D1Database, actor: Actor, flagKey: string, environment: string): Promise<void> {
  if (isEngine(actor)) return;
  const plan = await livePlanOf(db, flagKey, environment);
  if (!plan) return;
  throw new ApiError(
    409,
    'release_in_progress',
    `"${flagKey}" in "${environment}" is under release ${plan.id} (${plan.status}); abort or roll back the release to edit it by hand, or resume it to let the conductor continue`,
    { release: plan.id, status: plan.status },
  );
}

/**
 * A kill switch during a running plan wins: the switch is already committed when this runs, and
 * the plan is paused so the conductor stops raising the rollout. Never throws: nothing may stand
 * between an operator and the kill switch's answer.
 */
export async function pauseOnKillSwitch(db: D1Database, actor: Actor, flagKey: string, environment: string): Promise<void> {
  try {
    const plan = await livePlanOf(db, flagKey, environment);
    if (!plan || !ACTIVE_STATUSES.includes(plan.status)) return;
    await transition(
      db,
      plan,
      { status: 'paused' },
      { action: 'pause', event: 'paused', rule: 'kill_switch', reason: 'the flag was switched to its protective state' },
      actor,
      { statuses: ACTIVE_STATUSES },
    );
  } catch (e) {
    console.warn(`pausing the release of "${flagKey}" in "${environment}" after a kill switch failed`, e);
  }
}

/**
 * Archiving a flag, or changing its variants or protective state, while a release of it is live
 * in any environment would pull the plan's variants (or its flag) from under the conductor.
 */
export async function refuseFlagUnderLivePlan(db: D1Database, flagKey: string, what: string): Promise<void> {
  const plan = await db
    .prepare(
      "SELECT id, environment, status FROM release_plans WHERE flag_key = ? AND status IN ('running', 'waiting_approval', 'paused') LIMIT 1",
    )
    .bind(flagKey)
    .first<{ id: string; environment: string; status: string }>();
  if (!plan) return;
  throw new ApiError(
    409,
    'release_in_progress',
    `"${flagKey}" is under release ${plan.id} in "${plan.environment}" (${plan.status}); abort or roll back the release before you ${what}`,
    { release: plan.id, environment: plan.environment, status: plan.status },
  );
}
