import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { checkChangeRequests } from '../changes/change-review.ts';
import { type ConfigChange, checkTypePolicies, type FlagChange } from '../policies/type-policies.ts';

/** A write about to be committed, as policies see it. */
export interface PendingWrite {
  action: string;
  resourceKey: string;
  environment?: string | undefined;
  /** Moving a flag into its protective state in one environment: the emergency action. */
  protective: boolean;
  /** A flag's own fields before (absent on create) and after, and the fields the request sent. */
  flag?: FlagChange;
  /** A flag's configuration in one environment before and after, and whether it is production. */
  config?: ConfigChange;
}

/**
 * The single hook where policies and approvals (flag-type rules, change requests) check a write
 * before it is committed; a refusal throws an ApiError (422 `rule_violation` naming the rule).
 * Protective moves and release rollbacks never reach it: the emergency action is never blocked.
 * Authorization (role, production access) is not a policy and applies to every write, in
 * auth/route-policy.ts.
 */
export async function checkWritePolicies(c: Context<AppEnv>, write: PendingWrite): Promise<void> {
  if (write.protective) return;
  await checkTypePolicies(c, write);
  // Last: a write a policy refuses is refused outright, not turned into a review (422 review_required).
  await checkChangeRequests(c, write);
}
