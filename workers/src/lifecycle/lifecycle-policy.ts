export type FlagType = 'release' | 'ops' | 'experiment' | 'permission' | 'migration';

export const DAY_MS = 86_400_000;

/**
 * Days a flag of each type may stay rolled out (one answer for everyone) before it is reported
 * stale: past this, the check in code is dead weight. 14 days by default (seed 001: "after full
 * rollout and 2 weeks stable, remove the flag"). The instance policies (policies/policy-settings.ts)
 * can feed their own map through `lifecyclePolicy`.
 */
export const DEFAULT_LIFETIME_DAYS: Record<FlagType, number> = {
  release: 14,
  experiment: 14,
  migration: 14,
  ops: 14,
  permission: 14,
};

/** A flag evaluated by nobody for this long is stale whatever it serves (when there is evaluation data at all). */
export const UNEVALUATED_STALE_DAYS = 30;

/** The seed's hygiene number: flags at 100% for more than this many days. */
export const AT_FULL_REPORT_DAYS = 30;

export interface LifecyclePolicy {
  lifetimeDays: Record<FlagType, number>;
  /** Types never reported stale: ops switches and permissions are meant to live on. */
  neverStale: ReadonlySet<FlagType>;
}

/** What the lifecycle reads of the instance policies (docs/policies.md): which types are never stale. */
export interface StalePolicies {
  ops?: { neverStale?: unknown };
  permission?: { neverStale?: unknown };
}

/** The lifecycle rules from the instance policies (ops and permission are never stale unless a policy says otherwise). */
export function lifecyclePolicy(policies?: StalePolicies, lifetimeDays = DEFAULT_LIFETIME_DAYS): LifecyclePolicy {
  const neverStale = new Set<FlagType>();
  if (policies?.ops?.neverStale !== false) neverStale.add('ops');
  if (policies?.permission?.neverStale !== false) neverStale.add('permission');
  return { lifetimeDays, neverStale };
}
