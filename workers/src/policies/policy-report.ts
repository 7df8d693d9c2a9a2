import type { flags } from '../../../drizzle/schema.ts';
import type { Policies } from './policy-settings.ts';
import type { ServedConfig } from './served-states.ts';
import { flagViolations, servedViolations, type Violation } from './type-policies.ts';

type FlagRow = typeof flags.$inferSelect;

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
export function policyReport(p: Policies, rows: readonly FlagRow[], configs: readonly ServedConfig[]): ReportedFlag[] {
  const byFlag = Map.groupBy(configs, (c) => c.flagKey);
  const out: ReportedFlag[] = [];
  for (const flag of rows) {
    // `sent` declares the protective state: a stored flag has one, what matters is declaring it when the type changes.
    const violations: ReportedFlag['violations'] = flagViolations(p, { after: flag, sent: ['protectiveState'] });
    for (const config of byFlag.get(flag.key) ?? []) violations.push(...servedViolations(p, flag, config));
    if (violations.length > 0) out.push({ key: flag.key, type: flag.type, owner: flag.owner, createdAt: flag.createdAt, violations });
  }
  return out;
}
