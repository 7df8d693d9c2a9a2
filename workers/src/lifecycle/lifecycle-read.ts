import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { type FlagType, type LifecyclePolicy, lifecyclePolicy, type StalePolicies } from './lifecycle-policy.ts';
import { deriveLifecycle, type Evidence, type FlagFacts, type Lifecycle, nextPhase } from './lifecycle-state.ts';
import { configFacts, storedPhases } from './phase-store.ts';

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
  const [envs, evaluated, refs, policy] = await Promise.all([
    env.DB.prepare('SELECT key FROM environments ORDER BY sort_order, key').all<{ key: string }>(),
    lastEvaluated(env.DB, one),
    codeReferences(env.DB, one),
    readLifecyclePolicy(env.DB),
  ]);
  const out: Lifecycles = new Map();
  for (const { key: environment } of envs.results) {
    const [facts, stored] = await Promise.all([configFacts(d, environment), storedPhases(d, environment)]);
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

/** Newest evaluation per environment and flag: the edge's own, and SDK exposures (folded in by the events consumer). */
async function lastEvaluated(d1: D1Database, key: string | undefined): Promise<Map<string, number>> {
  const stmt = d1.prepare(
    `SELECT environment, flag_key AS flag, max(last_at) AS at FROM flag_evaluations ${key === undefined ? '' : 'WHERE flag_key = ?1'}
     GROUP BY environment, flag_key`,
  );
  const { results } = await (key === undefined ? stmt : stmt.bind(key)).all<{ environment: string; flag: string; at: number }>();
  return new Map(results.map((r) => [`${r.environment}\n${r.flag}`, r.at]));
}

/**
 * Where code reads each flag, from `edgeflags refs push` (table code_refs). Until any repository
 * has pushed, references are unknown (null), never "none": a flag is only ready to remove when
 * pushed references say nobody reads it.
 */
async function codeReferences(
  d1: D1Database,
  key: string | undefined,
): Promise<{ known: boolean; counts: Map<string, number>; pushedAt: number | null }> {
  const any = await d1.prepare('SELECT max(pushed_at) AS at FROM code_refs').first<{ at: number | null }>();
  if (!any || any.at === null) return { known: false, counts: new Map(), pushedAt: null };
  const stmt = d1.prepare(
    `SELECT flag_key AS flag, count(*) AS n FROM code_refs ${key === undefined ? '' : 'WHERE flag_key = ?1'} GROUP BY flag_key`,
  );
  const { results } = await (key === undefined ? stmt : stmt.bind(key)).all<{ flag: string; n: number }>();
  return { known: true, counts: new Map(results.map((r) => [r.flag, r.n])), pushedAt: any.at };
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

/**
 * The instance's stored policies (instance_settings `policies`, validated when stored), read
 * directly: the lifecycle only needs the never-stale switches, and a policy that does not parse
 * leaves the defaults in force rather than failing a report.
 */
export async function readLifecyclePolicy(db: D1Database): Promise<LifecyclePolicy> {
  const row = await db.prepare(`SELECT value FROM instance_settings WHERE name = 'policies'`).first<{ value: string }>();
  try {
    return lifecyclePolicy(row ? (JSON.parse(row.value) as StalePolicies) : undefined);
  } catch {
    return lifecyclePolicy();
  }
}
