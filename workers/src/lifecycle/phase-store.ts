import { compileSnapshot, type SegmentDefinition } from '@edgeflags/core';
import { eq } from 'drizzle-orm';
import { environments, flagConfigs, flagLifecycle, flags, segments } from '../../../drizzle/schema.ts';
import { type Db, db } from '../db.ts';
import type { Env } from '../env.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { type ConfigFacts, nextPhase, type PhaseRecord } from './lifecycle-state.ts';

type FlagRow = typeof flags.$inferSelect;
type ConfigRow = typeof flagConfigs.$inferSelect;
type SegmentRow = typeof segments.$inferSelect;

/** One environment as the lifecycle sees it: each flag's config facts and recorded phase, by flag key. */
export interface EnvironmentFacts {
  facts: Map<string, ConfigFacts>;
  stored: Map<string, PhaseRecord>;
}

/**
 * Every environment's (or one's) configs, flags, segments and recorded phases, in one D1 batch:
 * a flags-list answer waits for one round trip, however many environments there are.
 */
export async function loadFacts(d: Db, only?: string): Promise<Map<string, EnvironmentFacts>> {
  const [envRows, configs, flagRows, segs, phases] = await d.batch([
    d
      .select({ key: environments.key })
      .from(environments)
      .where(only === undefined ? undefined : eq(environments.key, only))
      .orderBy(environments.sortOrder, environments.key),
    d
      .select()
      .from(flagConfigs)
      .where(only === undefined ? undefined : eq(flagConfigs.environment, only)),
    d.select().from(flags),
    d
      .select()
      .from(segments)
      .where(only === undefined ? undefined : eq(segments.environment, only)),
    d
      .select()
      .from(flagLifecycle)
      .where(only === undefined ? undefined : eq(flagLifecycle.environment, only)),
  ]);
  const flagsByKey = new Map(flagRows.map((f) => [f.key, f]));
  const configsByEnv = Map.groupBy(configs, (c) => c.environment);
  const segsByEnv = Map.groupBy(segs, (s) => s.environment);
  const phasesByEnv = Map.groupBy(phases, (p) => p.environment);
  const out = new Map<string, EnvironmentFacts>();
  for (const { key } of envRows) {
    const stored = new Map((phasesByEnv.get(key) ?? []).map((r) => [r.flagKey, { phase: r.phase, since: r.since, variant: r.variant }]));
    out.set(key, { facts: factsOf(key, configsByEnv.get(key) ?? [], flagsByKey, segsByEnv.get(key) ?? []), stored });
  }
  return out;
}

function factsOf(
  environment: string,
  configs: ConfigRow[],
  flagsByKey: Map<string, FlagRow>,
  segs: SegmentRow[],
): Map<string, ConfigFacts> {
  const rows = configs.flatMap((config) => {
    const flag = flagsByKey.get(config.flagKey);
    return flag ? [{ flag, config }] : [];
  });
  // Core decides what "one answer for everyone" means (CompiledFlag.constant), the same test
  // its evaluation fast path uses: off, or one variant with no targets, rules or prerequisites.
  const compiled = compileSnapshot(
    {
      environment,
      version: 0,
      flags: rows.map((r) => toDefinition(r.flag, r.config)),
      segments: segs.map((s) => ({ ...(s.definition as Omit<SegmentDefinition, 'key'>), key: s.key })),
    },
    { eager: true },
  );
  const out = new Map<string, ConfigFacts>();
  for (const r of rows) {
    const constant = compiled.flag(r.flag.key)?.constant;
    out.set(r.flag.key, {
      enabled: r.config.enabled,
      offVariant: r.config.offVariant,
      constantVariant: constant && constant.reason !== 'ERROR' ? constant.variant : undefined,
      updatedAt: r.config.updatedAt,
      flagCreatedAt: r.flag.createdAt,
    });
  }
  return out;
}

/**
 * Records where each flag of one environment is, and since when: after every publish (from its
 * waitUntil) and from the cron. Only changed rows are written. The date is the config write that
 * moved the flag, so a late recording still dates the change right.
 */
export async function recordPhases(env: Pick<Env, 'DB'>, environment: string): Promise<number> {
  const one = (await loadFacts(db(env), environment)).get(environment);
  if (!one) return 0;
  const { facts, stored } = one;
  const stmts: D1PreparedStatement[] = [];
  for (const [key, f] of facts) {
    const prev = stored.get(key);
    const next = nextPhase(prev, f);
    if (next === prev) continue;
    stmts.push(
      env.DB.prepare(
        `INSERT INTO flag_lifecycle (environment, flag_key, phase, since, variant, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (environment, flag_key) DO UPDATE SET phase = excluded.phase, since = excluded.since, variant = excluded.variant, updated_at = excluded.updated_at`,
      ).bind(environment, key, next.phase, next.since, next.variant, Date.now()),
    );
  }
  for (let i = 0; i < stmts.length; i += 100) await env.DB.batch(stmts.slice(i, i + 100));
  return stmts.length;
}

/** Every environment's phases (the cron's backstop for a publish whose waitUntil died). */
export async function recordAllPhases(env: Pick<Env, 'DB'>): Promise<void> {
  const envs = await db(env).select({ key: environments.key }).from(environments);
  for (const e of envs) await recordPhases(env, e.key);
}

const running = new Map<string, { done: Promise<void>; again: boolean }>();

/**
 * recordPhases after a publish, coalesced per environment in this isolate: a burst of writes
 * runs it at most twice (the one in flight, then one that sees them all), not once per write.
 * Never throws.
 */
export function recordPhasesSoon(env: Pick<Env, 'DB'>, environment: string): Promise<void> {
  const current = running.get(environment);
  if (current) {
    current.again = true;
    return current.done;
  }
  const entry = { done: Promise.resolve(), again: false };
  entry.done = (async () => {
    try {
      do {
        entry.again = false;
        await recordPhases(env, environment);
      } while (entry.again);
    } catch (e) {
      console.warn('lifecycle phases not recorded', e);
    } finally {
      running.delete(environment);
    }
  })();
  running.set(environment, entry);
  return entry.done;
}
