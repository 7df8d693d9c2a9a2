import type { FlagDefinition, Snapshot } from '@edgeflags/core';
import { introducedIssues, SnapshotSchema } from '@edgeflags/core/schema';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { settleSwitches } from '../changes/scheduled-changes.ts';
import { db } from '../db.ts';
import { ApiError, notFound, ruleViolation } from '../errors.ts';
import { refuseUnderLivePlan } from '../releases/live-plan-guard.ts';
import { buildSnapshot, toDefinition } from '../snapshot/build-snapshot.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import { assertSnapshotFits } from '../snapshot/snapshot-limits.ts';
import { auditStatement, bumpStatement } from './audit.ts';
import { staleVersion } from './conflicts.ts';
import { checkWritePolicies } from './write-policies.ts';

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

/** The version a guarded write needs; without it, 428 (a blind write could undo someone's edit). */
export function requireVersion(c: Context, bodyVersion?: number, what = 'the version you edited'): number {
  const expected = expectedVersion(c, bodyVersion);
  if (expected === undefined)
    throw new ApiError(428, 'version_required', `send ${what} (If-Match or "version") so concurrent edits cannot overwrite each other`);
  return expected;
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

export type LoadedConfig = Awaited<ReturnType<typeof loadConfig>>;
export interface ConfigWrite {
  flagKey: string;
  environment: string;
  action: string;
  reason?: string | undefined;
}

/**
 * One targeting change, guarded by the version the client edited: policies, version check,
 * whole-environment validation (prerequisite cycles and unknown segments only show across flags),
 * then the guarded commit and the push to the hub. Authorization ran before, in the route's
 * access rule. Protective moves (the kill switch) take protective-move.ts instead.
 */
export async function writeConfig(
  c: Context<AppEnv>,
  params: ConfigWrite & { expected: number },
  change: (current: ConfigRow) => ConfigChange,
  loaded?: LoadedConfig,
) {
  const { env, flag, config } = loaded ?? (await loadConfig(c, params.flagKey, params.environment));
  const what = `flag "${flag.key}" in "${env.key}"`;
  // A scheduled switch whose instant has passed is what every edge serves already, and settling it
  // later would overwrite this write: settle it now (as the scheduler, audited config.switch), and
  // the client, who edited the configuration from before the switch, re-reads (409).
  const due = config.scheduledSwitch as { at: number } | null;
  if (due && due.at <= Date.now()) {
    await settleSwitches(c.env, Date.now(), undefined, env.key);
    throw staleVersion(`${what} (its scheduled switch at ${new Date(due.at).toISOString()} happened)`);
  }
  // A stale write is judged against what the client saw: reload first (409), then the policies.
  if (params.expected !== config.version) throw staleVersion(what, config.version, params.expected);
  const next: ConfigRow = { ...config, ...change(config) };
  await checkWritePolicies(c, {
    action: params.action,
    resourceKey: flag.key,
    environment: env.key,
    protective: false,
    config: { flag, before: config, after: next, production: env.production },
  });
  // A flag under a live release plan is its conductor's: a person's edit would silently fight it.
  await refuseUnderLivePlan(c.env.DB, c.get('actor'), flag.key, env.key);
  await proposeSnapshot(c, env.key, toDefinition(flag, next));
  const after = await commitConfig(c, { env, flag, config }, next, params);
  if (!after) throw staleVersion(what);
  return publishConfig(c, flag.key, env.key, after);
}

/**
 * One D1 batch: the update guarded by the version read, then its audit entry and the snapshot
 * version bump, both only if the update changed one row. Answers the new definition, or
 * undefined when another write got there first (nothing was written).
 */
export async function commitConfig(
  c: Context<AppEnv>,
  { env, flag, config }: LoadedConfig,
  next: ConfigRow,
  params: ConfigWrite,
  extras: CommitExtras = {},
) {
  const before = toDefinition(flag, config);
  const after = { ...toDefinition(flag, next), version: config.version + 1 };
  const results = await c.env.DB.batch([
    c.env.DB.prepare(
      `UPDATE flag_configs SET enabled = ?, off_variant = ?, prerequisites = ?, targets = ?, rules = ?, default_serve = ?, bucket_by = ?,
       version = version + 1, updated_at = unixepoch('subsec') * 1000 WHERE flag_key = ? AND environment = ? AND version = ?${extras.guard ? ` AND ${extras.guard.sql}` : ''}`,
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
      ...(extras.guard?.params ?? []),
    ),
    auditStatement(
      c.env.DB,
      {
        actor: c.get('actor'),
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
    ...(extras.after ?? []),
  ]);
  return results[0]?.meta.changes === 1 ? after : undefined;
}

/** What a release conductor's step adds to a config commit, so the step and the config change commit together. */
export interface CommitExtras {
  /** A condition ANDed into the guarded update, with its parameters (e.g. the plan still at the version read). */
  guard?: { sql: string; params: unknown[] };
  /** Statements after the audit entry and the bump, in the same batch; each guards itself with `changes() = 1`. */
  after?: D1PreparedStatement[];
}

/**
 * After a commit: the push to the hub, and the answer every config write gives. A failed push
 * is `delivery: 'pending'` (retried until delivered), never an error: the write is stored.
 */
export async function publishConfig(c: Context<AppEnv>, flag: string, environment: string, config: FlagDefinition & { version: number }) {
  return { flag, environment, config, ...(await publishForRequest(c, environment, [flag])) };
}

/**
 * The environment's snapshot as it is and as it would be with `candidate` in place, validated
 * as a whole; a bad candidate throws the validation envelope with paths relative to the flag,
 * and one that would make the snapshot too large for the hub and KV throws 413 (before saving).
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
  assertSnapshotFits(current, next);
  const parsed = SnapshotSchema.safeParse(next);
  if (parsed.success) return { current, next };
  // What was stored before a rule grew stricter (RE2's dialect, prerequisite limits) does not
  // block this write; it is listed by GET /environments/{env}/problems (docs/regex.md).
  const introduced = introducedIssues(current, next, parsed.error.issues);
  if (introduced.length === 0) return { current, next };
  // Report paths relative to the flag being written, e.g. "rules.0.conditions.1.values.0".
  const at = index >= 0 ? index : flagsNext.length - 1;
  const mine = introduced.filter((i) => i.path[0] === 'flags' && i.path[1] === at).map((i) => ({ ...i, path: i.path.slice(2) }));
  throw ruleViolation({ ...parsed.error, issues: mine.length ? mine : introduced } as typeof parsed.error, 'config');
}
