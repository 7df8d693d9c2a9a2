import type { flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { Policies } from './policy-settings.ts';
import { configViolations, flagViolations, type Violation } from './type-policies.ts';

type FlagRow = typeof flags.$inferSelect;
type ConfigRow = typeof flagConfigs.$inferSelect;

export interface ReportedFlag {
  key: string;
  type: FlagRow['type'];
  owner: string;
  createdAt: number;
  violations: (Violation & { environment?: string })[];
}

/**
 * What stored flags break under the current policies. Writes are judged only on what they
 * change, so flags made before a policy (or before it grew stricter) keep working: they are
 * listed here instead. Each flag is judged as if created now; its configuration as if set from
 * off, except the migration step rule (about moves, not states).
 */
export function policyReport(
  p: Policies,
  rows: readonly FlagRow[],
  configs: readonly (ConfigRow & { production: boolean; releasing: boolean })[],
): ReportedFlag[] {
  const byFlag = Map.groupBy(configs, (c) => c.flagKey);
  const asStates: Policies = { ...p, migration: { ...p.migration, oneStageAtATime: false } };
  const out: ReportedFlag[] = [];
  for (const flag of rows) {
    // `sent` declares the protective state: a stored flag has one, what matters is declaring it when the type changes.
    const violations: ReportedFlag['violations'] = flagViolations(p, { after: flag, sent: ['protectiveState'] });
    for (const config of byFlag.get(flag.key) ?? []) {
      // A running release plan is the sanctioned way to a production split.
      if (config.releasing) continue;
      const off = { ...config, enabled: false, rules: [], targets: [], defaultServe: { variant: config.offVariant } };
      const found = configViolations(asStates, { flag, before: off, after: config, production: config.production });
      violations.push(...found.map((v) => ({ ...v, environment: config.environment })));
    }
    if (violations.length > 0) out.push({ key: flag.key, type: flag.type, owner: flag.owner, createdAt: flag.createdAt, violations });
  }
  return out;
}
