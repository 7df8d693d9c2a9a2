import { AT_FULL_REPORT_DAYS, DAY_MS, type FlagType, type LifecyclePolicy, UNEVALUATED_STALE_DAYS } from './lifecycle-policy.ts';

/** Where a flag's rollout is in one environment; stored with the date it got there (flag_lifecycle). */
export type Phase = 'new' | 'rolling_out' | 'rolled_out';

export const LIFECYCLE_STATES = ['new', 'rolling_out', 'rolled_out', 'stale', 'expired', 'ready_to_remove', 'unknown', 'archived'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface PhaseRecord {
  phase: Phase;
  /** Epoch ms the flag entered the phase. */
  since: number;
  /** The variant everyone gets while rolled out. */
  variant: string | null;
}

/** A flag's configuration in one environment, as the phase needs it. */
export interface ConfigFacts {
  enabled: boolean;
  offVariant: string;
  /**
   * The one answer for everyone, when core compiles the flag to a context-independent result
   * (`CompiledFlag.constant`: off, or one variant with no targets, rules or prerequisites); else undefined.
   */
  constantVariant: string | undefined;
  /** The config's last write (epoch ms): the write that moved it into a new phase. */
  updatedAt: number;
  flagCreatedAt: number;
}

/**
 * The phase now, given the recorded one. A flag that was never switched on is `new`; one switched
 * off after being live is rolled out to its off variant (everyone gets off: cleanup keeps that).
 * The date moves only when the phase or the variant everyone gets changes, so edits that keep a
 * flag at 100% do not reset how long it has been there.
 */
export function nextPhase(prev: PhaseRecord | undefined, facts: ConfigFacts): PhaseRecord {
  let phase: Phase;
  let variant: string | null = null;
  if (!facts.enabled && (prev === undefined || prev.phase === 'new')) phase = 'new';
  else if (facts.constantVariant !== undefined) {
    phase = 'rolled_out';
    variant = facts.constantVariant;
  } else phase = 'rolling_out';
  if (prev && prev.phase === phase && prev.variant === variant) return prev;
  return { phase, variant, since: phase === 'new' && prev === undefined ? facts.flagCreatedAt : facts.updatedAt };
}

export interface FlagFacts {
  type: FlagType;
  /** YYYY-MM-DD, the last day the flag is meant to live. */
  expiresAt: string | null;
  archivedAt: number | null;
}

export interface Evidence {
  /** Newest evaluation seen at the edge or reported by an SDK (epoch ms); null: no data. */
  lastEvaluatedAt: number | null;
  /** Places in code that read the flag, from `edgeflags refs push`; null: no references were ever pushed. */
  references: number | null;
  /** When references were last pushed (epoch ms). */
  referencesAt: number | null;
}

export interface Lifecycle {
  state: LifecycleState;
  /** When the flag entered `state` (epoch ms); null for a flag with no configuration here. */
  since: number | null;
  /** Why, in a few words: e.g. "rolled out longer than release flags live (14 days)". */
  reason: string;
  phase: Phase | null;
  /** When the flag entered `phase` (epoch ms): e.g. how long it has been rolled out. */
  phaseSince: number | null;
  variant: string | null;
  /** True while enabled and serving one non-off variant to everyone: "at 100%". */
  atFull: boolean;
  lastEvaluatedAt: number | null;
  references: number | null;
}

/**
 * The one definition of a flag's lifecycle state in one environment (docs/lifecycle.md). Order
 * matters: archived, then expired, then what the rollout says; stale needs evidence, so a rolled
 * out flag nobody reports evaluations for is `unknown`, never stale by guess.
 */
export function deriveLifecycle(
  flag: FlagFacts,
  rec: PhaseRecord | undefined,
  facts: Pick<ConfigFacts, 'enabled' | 'offVariant'> | undefined,
  ev: Evidence,
  policy: LifecyclePolicy,
  now: number,
): Lifecycle {
  const atFull = !!rec && !!facts && rec.phase === 'rolled_out' && facts.enabled && rec.variant !== facts.offVariant;
  const base = {
    phase: rec?.phase ?? null,
    phaseSince: rec?.since ?? null,
    variant: rec?.variant ?? null,
    atFull,
    lastEvaluatedAt: ev.lastEvaluatedAt,
    references: ev.references,
  };
  const at = (state: LifecycleState, since: number | null, reason: string): Lifecycle => ({ ...base, state, since, reason });
  if (flag.archivedAt !== null) return at('archived', flag.archivedAt, 'archived');
  if (!rec) return at('unknown', null, 'no configuration in this environment');
  if (flag.expiresAt) {
    const end = Date.parse(`${flag.expiresAt}T00:00:00Z`) + DAY_MS;
    if (end <= now) return at('expired', end, `expired on ${flag.expiresAt}`);
  }
  if (rec.phase === 'rolled_out' && ev.references === 0)
    return at('ready_to_remove', Math.max(rec.since, ev.referencesAt ?? rec.since), 'rolled out and no code references it');
  if (policy.neverStale.has(flag.type))
    return at(rec.phase, rec.since, `${rec.phase.replace('_', ' ')} (${flag.type} flags are never stale)`);
  const lifetime = policy.lifetimeDays[flag.type] * DAY_MS;
  if (rec.phase === 'rolled_out' && now - rec.since > lifetime) {
    const days = policy.lifetimeDays[flag.type];
    if (ev.lastEvaluatedAt === null) return at('unknown', rec.since + lifetime, `rolled out over ${days} days, but no evaluation data`);
    return at('stale', rec.since + lifetime, `rolled out longer than ${flag.type} flags live (${days} days)`);
  }
  const quiet = UNEVALUATED_STALE_DAYS * DAY_MS;
  if (ev.lastEvaluatedAt !== null && now - ev.lastEvaluatedAt > quiet)
    return at('stale', ev.lastEvaluatedAt + quiet, `not evaluated for ${UNEVALUATED_STALE_DAYS} days`);
  return at(rec.phase, rec.since, rec.phase.replace('_', ' '));
}

/** Enabled at one non-off variant for everyone for more than AT_FULL_REPORT_DAYS: the seed's hygiene number. */
export function atFullTooLong(l: Lifecycle, now: number): boolean {
  return l.atFull && l.state !== 'archived' && l.phaseSince !== null && now - l.phaseSince > AT_FULL_REPORT_DAYS * DAY_MS;
}
