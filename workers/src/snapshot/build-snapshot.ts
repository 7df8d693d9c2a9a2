import type { FlagDefinition, SegmentDefinition, Snapshot } from '@edgeflags/core';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { environments, flagConfigs, flags, type ReleaseStatus, releasePlans, segments } from '../../../drizzle/schema.ts';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';

type FlagRow = typeof flags.$inferSelect;

/** Plans whose flag SDKs must record outcomes for: paused ones too, so resuming finds fresh data. */
export const TRACKED_STATUSES: readonly ReleaseStatus[] = ['running', 'waiting_approval', 'paused'];
type ConfigRow = typeof flagConfigs.$inferSelect;

/** A flag's definition in one environment: metadata row + that environment's config row. */
export function toDefinition(flag: FlagRow, config: ConfigRow): FlagDefinition {
  const def: FlagDefinition = {
    key: flag.key,
    kind: flag.kind,
    variants: flag.variants as FlagDefinition['variants'],
    enabled: config.enabled,
    offVariant: config.offVariant,
    defaultServe: config.defaultServe as FlagDefinition['defaultServe'],
    clientVisible: flag.clientVisible,
    version: config.version,
  };
  const prerequisites = config.prerequisites as FlagDefinition['prerequisites'];
  const targets = config.targets as FlagDefinition['targets'];
  const rules = config.rules as FlagDefinition['rules'];
  if (prerequisites?.length) def.prerequisites = prerequisites;
  if (targets?.length) def.targets = targets;
  if (rules?.length) def.rules = rules;
  if (config.bucketBy) def.bucketBy = config.bucketBy;
  if (config.salt) def.salt = config.salt;
  // Rides in the snapshot so every evaluator switches at its instant, control plane or not.
  if (config.scheduledSwitch) def.scheduledSwitch = config.scheduledSwitch as FlagDefinition['scheduledSwitch'] & object;
  return def;
}

/** Reads one environment's live flags and segments from D1 into the snapshot SDKs evaluate. */
export async function buildSnapshot(d: Db, environment: string): Promise<Snapshot> {
  // Flags and configs are read apart and joined here: a joined select in a batch gets shifted
  // fields (db.ts refuses one), and both tables have `version` and `updated_at`.
  const [env, configs, liveFlags, segs, plans] = await d.batch([
    d.select().from(environments).where(eq(environments.key, environment)),
    d.select().from(flagConfigs).where(eq(flagConfigs.environment, environment)).orderBy(flagConfigs.flagKey),
    d.select().from(flags).where(isNull(flags.archivedAt)),
    d.select().from(segments).where(eq(segments.environment, environment)).orderBy(segments.key),
    d
      .selectDistinct({ flagKey: releasePlans.flagKey })
      .from(releasePlans)
      .where(and(eq(releasePlans.environment, environment), inArray(releasePlans.status, [...TRACKED_STATUSES])))
      .orderBy(releasePlans.flagKey),
  ]);
  if (!env[0]) throw notFound(`environment "${environment}"`);
  const flagByKey = new Map(liveFlags.map((f) => [f.key, f]));
  const rows = configs.flatMap((config) => {
    const flag = flagByKey.get(config.flagKey);
    return flag ? [{ flag, config }] : [];
  });
  const snapshot: Snapshot = {
    environment,
    version: env[0].snapshotVersion,
    flags: rows.map((r) => toDefinition(r.flag, r.config)),
    segments: segs.map((s) => ({ ...(s.definition as Omit<SegmentDefinition, 'key'>), key: s.key })),
  };
  // Only flags the snapshot carries (an archived flag's plan tracks nothing), and no field at all
  // when no plan is live, so snapshots of environments without releases stay byte-identical.
  const live = new Set(rows.map((r) => r.flag.key));
  const tracked = plans.map((p) => p.flagKey).filter((k) => live.has(k));
  if (tracked.length > 0) snapshot.tracked = tracked;
  return snapshot;
}

export function etagOf(snapshot: Pick<Snapshot, 'environment' | 'version'>): string {
  return `"${snapshot.environment}.${snapshot.version}"`;
}

export const kvKey = (environment: string) => `snapshot:${environment}`;
