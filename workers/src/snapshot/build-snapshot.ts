import type { FlagDefinition, SegmentDefinition, Snapshot } from '@edgeflags/core';
import { and, eq, isNull } from 'drizzle-orm';
import { environments, flagConfigs, flags, segments } from '../../../drizzle/schema.ts';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';

type FlagRow = typeof flags.$inferSelect;
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
  return def;
}

/** Reads one environment's live flags and segments from D1 into the snapshot SDKs evaluate. */
export async function buildSnapshot(d: Db, environment: string): Promise<Snapshot> {
  const [env, rows, segs] = await d.batch([
    d.select().from(environments).where(eq(environments.key, environment)),
    d
      .select()
      .from(flagConfigs)
      .innerJoin(flags, eq(flags.key, flagConfigs.flagKey))
      .where(and(eq(flagConfigs.environment, environment), isNull(flags.archivedAt)))
      .orderBy(flags.key),
    d.select().from(segments).where(eq(segments.environment, environment)).orderBy(segments.key),
  ]);
  if (!env[0]) throw notFound(`environment "${environment}"`);
  return {
    environment,
    version: env[0].snapshotVersion,
    flags: rows.map((r) => toDefinition(r.flags, r.flag_configs)),
    segments: segs.map((s) => ({ ...(s.definition as Omit<SegmentDefinition, 'key'>), key: s.key })),
  };
}

export function etagOf(snapshot: Pick<Snapshot, 'environment' | 'version'>): string {
  return `"${snapshot.environment}.${snapshot.version}"`;
}

export const kvKey = (environment: string) => `snapshot:${environment}`;
