import type { Env } from '../env.ts';
import type { FlagType } from './lifecycle-policy.ts';
import { type LifecycleFlag, readLifecyclePolicy, readLifecycles } from './lifecycle-read.ts';
import { atFullTooLong, LIFECYCLE_STATES, type Lifecycle, type LifecycleState } from './lifecycle-state.ts';

/** States that mean "take the flag out of the code": what the report and the digest list. */
export const REMOVAL_STATES: readonly LifecycleState[] = ['ready_to_remove', 'stale', 'expired'];

/** The command that removes a flag's checks from TS/TSX (the `edgeflags` CLI). */
export const cleanupCommand = (key: string) => `npx edgeflags cleanup ${key}`;

export interface ReportEntry {
  key: string;
  name: string;
  owner: string;
  type: FlagType;
  environment: string;
  state: LifecycleState;
  since: number | null;
  reason: string;
  variant: string | null;
  rolledOutSince: number | null;
  lastEvaluatedAt: number | null;
  references: number | null;
  command: string;
}

export interface StaleReport {
  generatedAt: number;
  environments: string[];
  summary: {
    /** Seed 001's hygiene number: distinct flags (not ops or permission) enabled at one non-off variant for everyone for more than 30 days. */
    atFullOver30Days: number;
    /** Distinct flags in the removal list. */
    toRemove: number;
    byState: Record<LifecycleState, number>;
  };
  /** Flags to remove, per environment, oldest first. */
  flags: ReportEntry[];
  /** Rolled out past their lifetime, but nobody reports evaluations: check before removing. */
  unknown: ReportEntry[];
}

type ReportFlag = LifecycleFlag & { name: string };

/**
 * Which flags to take out of the code, since when, whose they are, and the command that does it,
 * in the environments asked for (default: the production ones, or all when none is marked).
 */
export async function staleReport(env: Pick<Env, 'DB'>, only?: string, now = Date.now()): Promise<StaleReport> {
  const [flagRows, envRows] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(
      'SELECT key, name, owner, type, expires_at AS expiresAt, archived_at AS archivedAt FROM flags WHERE archived_at IS NULL ORDER BY key',
    ),
    env.DB.prepare('SELECT key, production FROM environments ORDER BY sort_order, key'),
  ]);
  const flagList = flagRows!.results as unknown as ReportFlag[];
  const envs = envRows!.results as unknown as { key: string; production: number }[];
  const production = envs.filter((e) => e.production).map((e) => e.key);
  const scope = only !== undefined ? [only] : production.length > 0 ? production : envs.map((e) => e.key);
  // Ops switches and permissions are meant to stay at one answer: they are not hygiene debt.
  const [lifecycles, { neverStale }] = await Promise.all([readLifecycles(env, flagList, now), readLifecyclePolicy(env.DB)]);
  const byState = Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, 0])) as Record<LifecycleState, number>;
  const flags: ReportEntry[] = [];
  const unknown: ReportEntry[] = [];
  const atFull = new Set<string>();
  for (const environment of scope) {
    const byFlag = lifecycles.get(environment);
    if (!byFlag) continue;
    for (const flag of flagList) {
      const l = byFlag.get(flag.key);
      if (!l) continue;
      byState[l.state]++;
      if (atFullTooLong(l, now) && !neverStale.has(flag.type)) atFull.add(flag.key);
      if (REMOVAL_STATES.includes(l.state)) flags.push(entry(flag, environment, l));
      else if (l.state === 'unknown' && l.phase !== null) unknown.push(entry(flag, environment, l));
    }
  }
  const oldest = (a: ReportEntry, b: ReportEntry) => (a.since ?? 0) - (b.since ?? 0) || a.key.localeCompare(b.key);
  return {
    generatedAt: now,
    environments: scope,
    summary: { atFullOver30Days: atFull.size, toRemove: new Set(flags.map((f) => f.key)).size, byState },
    flags: flags.sort(oldest),
    unknown: unknown.sort(oldest),
  };
}

function entry(flag: ReportFlag, environment: string, l: Lifecycle): ReportEntry {
  return {
    key: flag.key,
    name: flag.name,
    owner: flag.owner,
    type: flag.type,
    environment,
    state: l.state,
    since: l.since,
    reason: l.reason,
    variant: l.variant,
    rolledOutSince: l.phase === 'rolled_out' ? l.phaseSince : null,
    lastEvaluatedAt: l.lastEvaluatedAt,
    references: l.references,
    command: cleanupCommand(flag.key),
  };
}
