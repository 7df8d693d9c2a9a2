import type { Context } from 'hono';
import type { flagConfigs } from '../../../drizzle/schema.ts';
import { loadConfig, requireVersion, writeConfig } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { proposeChange } from './change-actions.ts';
import { requiredApprovals } from './change-review.ts';
import type { Proposal } from './change-store.ts';

type ConfigRow = typeof flagConfigs.$inferSelect;

/** The fields of a flag's configuration that a change request, a promotion or a diff covers. */
export const CONFIG_FIELDS = ['enabled', 'offVariant', 'prerequisites', 'targets', 'rules', 'defaultServe', 'bucketBy'] as const;

export const proposalOf = (config: ConfigRow): Proposal => {
  const { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy } = config;
  return { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy };
};

/** Fields that differ, with both sides (JSON equality: key order in stored rules is kept as written). */
export function configDiff(before: Partial<Proposal>, after: Partial<Proposal>) {
  return CONFIG_FIELDS.filter((f) => f in after && JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null)).map((field) => ({
    field,
    before: before[field] ?? null,
    after: after[field] ?? null,
  }));
}

export interface PromoteRequest {
  flagKey: string;
  from: string;
  to: string;
  apply: boolean;
  version?: number | undefined;
  reason?: string | undefined;
}

/**
 * A flag's configuration moved from one environment to another (staging → production) as a
 * reviewed diff: without `apply`, a preview; with it, an ordinary guarded write of the target
 * (its version required), or a change request where the target reviews flag changes.
 */
export async function promote(c: Context<AppEnv>, p: PromoteRequest) {
  if (p.from === p.to)
    throw new ApiError(422, 'rule_violation', 'from: promote from another environment than the target', {
      issues: [{ path: 'from', message: 'same environment' }],
    });
  const [source, target] = await Promise.all([loadConfig(c, p.flagKey, p.from), loadConfig(c, p.flagKey, p.to)]);
  const proposal = proposalOf(source.config);
  const diff = configDiff(proposalOf(target.config), proposal);
  const base = { flag: p.flagKey, from: p.from, to: p.to, fromVersion: source.config.version, toVersion: target.config.version, diff };
  if (!p.apply) return { ...base, outcome: 'preview' as const };
  const expected = requireVersion(c, p.version, `the version of "${p.flagKey}" in "${p.to}" you previewed`);
  if (diff.length === 0 && expected === target.config.version) return { ...base, outcome: 'unchanged' as const };
  const reason = p.reason ?? `promoted from ${p.from} (v${source.config.version})`;
  if ((await requiredApprovals(c.env.DB, p.to)) > 0) {
    const changeRequest = await proposeChange(c, p.to, {
      flag: p.flagKey,
      action: 'flag.promote',
      config: proposal,
      version: expected,
      reason,
    });
    return { ...base, outcome: 'proposed' as const, changeRequest };
  }
  const write = await writeConfig(
    c,
    { flagKey: p.flagKey, environment: p.to, action: 'flag.promote', reason, expected },
    () => proposal as never,
  );
  return { ...base, outcome: 'applied' as const, write };
}
