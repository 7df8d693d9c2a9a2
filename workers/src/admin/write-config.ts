import type { FlagDefinition, Snapshot } from '@edgeflags/core';
import { SnapshotSchema } from '@edgeflags/core/schema';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { assertCanWrite } from '../auth/admin-auth.ts';
import { db } from '../db.ts';
import { ApiError, notFound, validationError } from '../errors.ts';
import { buildSnapshot, toDefinition } from '../snapshot/build-snapshot.ts';
import { publishEnvironment } from '../snapshot/publish.ts';
import { auditStatement, bumpStatement } from './audit.ts';

type ConfigRow = typeof flagConfigs.$inferSelect;
export type ConfigChange = Partial<
  Pick<ConfigRow, 'enabled' | 'offVariant' | 'prerequisites' | 'targets' | 'rules' | 'defaultServe' | 'bucketBy'>
>;

/** The version a client expects: `If-Match: "3"` or a `version` field in the body. */
export function expectedVersion(c: Context, bodyVersion?: number): number | undefined {
  const header = c.req.header('if-match');
  if (header) {
    const n = Number(header.replace(/^W\//, '').replaceAll('"', ''));
    if (!Number.isInteger(n)) throw new ApiError(400, 'invalid_request', 'If-Match must be a version number, e.g. "3"');
    return n;
  }
  return bodyVersion;
}

export async function loadConfig(c: Context<AppEnv>, flagKey: string, environment: string) {
  const d = db(c.env);
  const [env, flag, config] = await d.batch([
    d.select().from(environments).where(eq(environments.key, environment)),
    d.select().from(flags).where(eq(flags.key, flagKey)),
    d
      .select()
      .from(flagConfigs)
      .where(and(eq(flagConfigs.flagKey, flagKey), eq(flagConfigs.environment, environment))),
  ]);
  if (!env[0]) throw notFound(`environment "${environment}"`);
  if (!flag[0] || flag[0].archivedAt !== null) throw notFound(`flag "${flagKey}"`);
  if (!config[0]) throw notFound(`flag "${flagKey}" in "${environment}"`);
  return { env: env[0], flag: flag[0], config: config[0] };
}

/**
 * One targeting change: role check, version check, whole-environment validation (prerequisite
 * cycles and unknown segments only show across flags), then one D1 batch — guarded update, audit
 * entry, snapshot version bump — and the push to the hub.
 */
export async function writeConfig(
  c: Context<AppEnv>,
  params: { flagKey: string; environment: string; action: string; reason?: string | undefined; expected?: number | undefined },
  change: (current: ConfigRow) => ConfigChange,
) {
  const actor = c.get('actor');
  const { env, flag, config } = await loadConfig(c, params.flagKey, params.environment);
  assertCanWrite(actor, env);
  if (params.expected !== undefined && params.expected !== config.version) {
    throw new ApiError(
      409,
      'version_conflict',
      `flag "${flag.key}" in "${env.key}" is at version ${config.version}, not ${params.expected}; reload and retry`,
      {
        currentVersion: config.version,
      },
    );
  }
  const next: ConfigRow = { ...config, ...change(config) };
  await proposeSnapshot(c, env.key, toDefinition(flag, next));
  const before = toDefinition(flag, config);
  const after = { ...toDefinition(flag, next), version: config.version + 1 };
  const results = await c.env.DB.batch([
    c.env.DB.prepare(
      `UPDATE flag_configs SET enabled = ?, off_variant = ?, prerequisites = ?, targets = ?, rules = ?, default_serve = ?, bucket_by = ?,
       version = version + 1, updated_at = unixepoch('subsec') * 1000 WHERE flag_key = ? AND environment = ? AND version = ?`,
    ).bind(
      next.enabled ? 1 : 0,
      next.offVariant,
      JSON.stringify(next.prerequisites),
      JSON.stringify(next.targets),
      JSON.stringify(next.rules),
      JSON.stringify(next.defaultServe),
      next.bucketBy,
      flag.key,
      env.key,
      config.version,
    ),
    auditStatement(
      c.env.DB,
      {
        actor,
        action: params.action,
        resourceType: 'flag_config',
        resourceKey: flag.key,
        environment: env.key,
        before,
        after,
        reason: params.reason,
      },
      true,
    ),
    bumpStatement(c.env.DB, env.key, true),
  ]);
  if (results[0]?.meta.changes !== 1) {
    throw new ApiError(409, 'version_conflict', `flag "${flag.key}" in "${env.key}" changed while you were editing; reload and retry`);
  }
  const published = await publishEnvironment(c.env, env.key, [flag.key]);
  return { flag: flag.key, environment: env.key, config: after, snapshotVersion: published.version, delivered: published.sent };
}

/**
 * The environment's snapshot as it is and as it would be with `candidate` in place, validated
 * as a whole; a bad candidate throws the validation envelope with paths relative to the flag.
 */
export async function proposeSnapshot(
  c: Context<AppEnv>,
  environment: string,
  change: FlagDefinition | { key: string; edit: (current: FlagDefinition) => FlagDefinition },
): Promise<{ current: Snapshot; next: Snapshot }> {
  const current: Snapshot = await buildSnapshot(db(c.env), environment);
  const index = current.flags.findIndex((f) => f.key === change.key);
  if ('edit' in change && index < 0) return { current, next: current };
  const candidate = 'edit' in change ? change.edit(current.flags[index]!) : change;
  const flagsNext = [...current.flags];
  if (index >= 0) flagsNext[index] = candidate;
  else flagsNext.push(candidate);
  const next = { ...current, flags: flagsNext };
  const parsed = SnapshotSchema.safeParse(next);
  if (parsed.success) return { current, next };
  // Report paths relative to the flag being written, e.g. "rules.0.conditions.1.values.0".
  const at = index >= 0 ? index : flagsNext.length - 1;
  const mine = parsed.error.issues.filter((i) => i.path[0] === 'flags' && i.path[1] === at).map((i) => ({ ...i, path: i.path.slice(2) }));
  throw validationError({ ...parsed.error, issues: mine.length ? mine : parsed.error.issues } as typeof parsed.error, 'config');
}
