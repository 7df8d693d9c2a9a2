import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { type FlagType, type LifecyclePolicy, lifecyclePolicy, type StalePolicies } from './lifecycle-policy.ts';
import { deriveLifecycle, type Evidence, type FlagFacts, type Lifecycle, nextPhase } from './lifecycle-state.ts';
import { loadFacts } from './phase-store.ts';

/** A flag as the lifecycle needs it. */
export interface LifecycleFlag extends FlagFacts {
  key: string;
  owner: string;
}

/** Lifecycle per environment, then per flag key. */
export type Lifecycles = Map<string, Map<string, Lifecycle>>;

/**
 * The server's lifecycle answer for `flagList` in every environment, now. Phases come from
 * flag_lifecycle, advanced on read by the current config (so an answer right after a write is
 * already right, before the recording lands); evidence from evaluation counts, SDK exposures and
 * code references.
 */
export async function readLifecycles(env: Pick<Env, 'DB'>, flagList: LifecycleFlag[], now = Date.now()): Promise<Lifecycles> {
  const d = db(env);
  const one = flagList.length === 1 ? flagList[0]!.key : undefined;
  const [perEnv, { evaluated, refs, policy }] = await Promise.all([loadFacts(d), readEvidence(env.DB, one)]);
  const out: Lifecycles = new Map();
  for (const [environment, { facts, stored }] of perEnv) {
    const byFlag = new Map<string, Lifecycle>();
    for (const flag of flagList) {
      const f = facts.get(flag.key);
      const rec = f ? nextPhase(stored.get(flag.key), f) : undefined;
      const evidence: Evidence = {
        lastEvaluatedAt: evaluated.get(`${environment}\n${flag.key}`) ?? null,
        references: refs.known ? (refs.counts.get(flag.key) ?? 0) : null,
        referencesAt: refs.pushedAt,
      };
      byFlag.set(flag.key, deriveLifecycle(flag, rec, f, evidence, policy, now));
    }
    out.set(environment, byFlag);
  }
  return out;
}

interface EvidenceRows {
  /** Newest evaluation by `environment\nflag`. */
  evaluated: Map<string, number>;
  /** Code references per flag; `known` once any repository has pushed. */
  refs: { known: boolean; counts: Map<string, number>; pushedAt: number | null };
  policy: LifecyclePolicy;
}

/**
 * The evidence in one D1 batch: the newest evaluation per environment and flag (edge counts and
 * SDK exposures, folded in by the events consumer), where code reads each flag (`edgeflags refs
 * push`, table code_refs), and the never-stale policy. References are unknown (null) until any
 * repository has pushed, never "none": a flag is only ready to remove when pushed references
 * say nobody reads it.
 */
async function readEvidence(d1: D1Database, key: string | undefined): Promise<EvidenceRows> {
  const where = key === undefined ? '' : 'WHERE flag_key = ?1';
  const bind = (stmt: D1PreparedStatement) => (key === undefined ? stmt : stmt.bind(key));
  const [evaluated, pushed, counts, policy] = await d1.batch<Record<string, unknown>>([
    bind(
      d1.prepare(`SELECT environment, flag_key AS flag, max(last_at) AS at FROM flag_evaluations ${where} GROUP BY environment, flag_key`),
    ),
    d1.prepare('SELECT max(pushed_at) AS at FROM code_refs'),
    bind(d1.prepare(`SELECT flag_key AS flag, count(*) AS n FROM code_refs ${where} GROUP BY flag_key`)),
    d1.prepare(`SELECT value FROM instance_settings WHERE name = 'policies'`),
  ]);
  const pushedAt = (pushed!.results[0]?.at as number | null | undefined) ?? null;
  return {
    evaluated: new Map(evaluated!.results.map((r) => [`${r.environment}\n${r.flag}`, r.at as number])),
    refs: { known: pushedAt !== null, counts: new Map(counts!.results.map((r) => [r.flag as string, r.n as number])), pushedAt },
    policy: policyOf(policy!.results[0]?.value as string | undefined),
  };
}

/**
 * The instance's stored policies (instance_settings `policies`, validated when stored), read
 * directly: the lifecycle only needs the never-stale switches, and a policy that does not parse
 * leaves the defaults in force rather than failing a report.
 */
function policyOf(stored: string | undefined): LifecyclePolicy {
  try {
    return lifecyclePolicy(stored ? (JSON.parse(stored) as StalePolicies) : undefined);
  } catch {
    return lifecyclePolicy();
  }
}

/** The never-stale policy alone (the stale report's seed number leaves those types out). */
export async function readLifecyclePolicy(d1: D1Database): Promise<LifecyclePolicy> {
  const row = await d1.prepare(`SELECT value FROM instance_settings WHERE name = 'policies'`).first<{ value: string }>();
  return policyOf(row?.value);
}

/** The flags table's rows as the lifecycle reads them. */
export function lifecycleFlag(row: {
  key: string;
  owner: string;
  type: FlagType;
  expiresAt: string | null;
  archivedAt: number | null;
}): LifecycleFlag {
  return { key: row.key, owner: row.owner, type: row.type, expiresAt: row.expiresAt, archivedAt: row.archivedAt };
}
