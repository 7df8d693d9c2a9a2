import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';

/** A write about to be committed, as policies see it. */
export interface PendingWrite {
  action: string;
  resourceKey: string;
  environment?: string | undefined;
  /** Moving a flag into its protective state in one environment: the emergency action. */
  protective: boolean;
}

/**
 * The single hook where policies and approvals (flag-type rules, change requests: issue 9) check a
 * write before it is committed; a refusal throws an ApiError (422 `rule_violation`). Protective
 * moves never reach them: the emergency action is never blocked. Authorization (role, production
 * access) is not a policy and applies to every write, in auth/route-policy.ts.
 */
export async function checkWritePolicies(_c: Context<AppEnv>, write: PendingWrite): Promise<void> {
  if (write.protective) return;
  // No policies yet.
}
