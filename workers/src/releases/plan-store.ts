import type { JsonValue } from '@edgeflags/core';
import type { ReleaseStatus, releasePlans } from '../../../drizzle/schema.ts';
import { auditStatement, bumpStatement } from '../admin/audit.ts';
import type { Actor } from '../app-env.ts';
import { actorLabel } from '../auth/actor-label.ts';
import { notFound } from '../errors.ts';
import type { ReleaseSettings, Stage } from './plan-schema.ts';

type PlanRow = typeof releasePlans.$inferSelect;
export interface Plan extends Omit<PlanRow, 'stages' | 'settings'> {
  stages: Stage[];
  settings: ReleaseSettings;
}

/** A plan the conductor acts on (running, waiting for a person) or holds (paused): the flag is its. */
export const LIVE_STATUSES: readonly ReleaseStatus[] = ['running', 'waiting_approval', 'paused'];
export const ACTIVE_STATUSES: readonly ReleaseStatus[] = ['running', 'waiting_approval'];
export const isLive = (status: ReleaseStatus) => LIVE_STATUSES.includes(status);
const inList = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');

/** The conductor's identity in the audit log; starting a plan pre-authorises its automatic steps. */
export function engineActor(planId: string): Actor {
  return { id: `release:${planId}`, name: 'release conductor', role: 'admin', productionAccess: true };
}
export const isEngine = (actor: Actor) => actor.id.startsWith('release:');
export { actorLabel };

const COLUMNS = `id, environment, flag_key AS flagKey, status, treatment_variant AS treatmentVariant, baseline_variant AS baselineVariant,
  stages, settings, current_stage AS currentStage, stage_started_at AS stageStartedAt, started_at AS startedAt, started_by AS startedBy,
  ended_at AS endedAt, end_reason AS endReason, version, created_at AS createdAt, updated_at AS updatedAt`;

type RawPlan = Omit<Plan, 'stages' | 'settings'> & { stages: string; settings: string };
const parse = (row: RawPlan): Plan => ({ ...row, stages: JSON.parse(row.stages), settings: JSON.parse(row.settings) });

export async function findPlan(db: D1Database, id: string): Promise<Plan | undefined> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM release_plans WHERE id = ?`).bind(id).first<RawPlan>();
  return row ? parse(row) : undefined;
}

/** A plan of this flag in this environment (the path names both), or 404. */
export async function planAt(db: D1Database, flagKey: string, environment: string, id: string): Promise<Plan> {
  const plan = await findPlan(db, id);
  if (!plan || plan.flagKey !== flagKey || plan.environment !== environment)
    throw notFound(`release "${id}" of "${flagKey}" in "${environment}"`);
  return plan;
}

export async function livePlanOf(db: D1Database, flagKey: string, environment: string): Promise<Plan | undefined> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM release_plans WHERE environment = ? AND flag_key = ? AND status IN (${inList(LIVE_STATUSES)}) LIMIT 1`)
    .bind(environment, flagKey)
    .first<RawPlan>();
  return row ? parse(row) : undefined;
}

export async function plansOf(db: D1Database, flagKey: string, environment: string): Promise<Plan[]> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM release_plans WHERE environment = ? AND flag_key = ? ORDER BY created_at DESC, id DESC`)
    .bind(environment, flagKey)
    .all<RawPlan>();
  return results.map(parse);
}

/** How long a release that ended stays in the flag list ("rolled back", "completed"). */
export const RECENTLY_ENDED_MS = 24 * 60 * 60 * 1000;

/** Live plans, and plans that ended within RECENTLY_ENDED_MS of `now`: what the flag list shows. */
export async function currentPlans(db: D1Database, now = Date.now()): Promise<Plan[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM release_plans WHERE status IN (${inList(LIVE_STATUSES)}) OR ended_at >= ? ORDER BY flag_key, environment, created_at DESC`,
    )
    .bind(now - RECENTLY_ENDED_MS)
    .all<RawPlan>();
  return results.map(parse);
}

/** Columns a transition may set. */
export interface PlanChange {
  status?: ReleaseStatus;
  currentStage?: number;
  stageStartedAt?: number | null;
  startedAt?: number;
  startedBy?: string;
  endedAt?: number;
  endReason?: string | null;
}
const COLUMN_OF: Record<keyof PlanChange, string> = {
  status: 'status',
  currentStage: 'current_stage',
  stageStartedAt: 'stage_started_at',
  startedAt: 'started_at',
  startedBy: 'started_by',
  endedAt: 'ended_at',
  endReason: 'end_reason',
};

/** What happened, for release_decisions (the timeline) and the audit log (`release.<event>`, webhooks). */
export interface Decision {
  action: string;
  event: string;
  rule?: string | undefined;
  evidence?: Record<string, unknown> | undefined;
  reason?: string | undefined;
  /** Stage the decision is about; the plan's current stage by default. */
  stage?: number;
}

/**
 * How the update is guarded: by the version read (people's actions and the engine's steps: a
 * lost race changes nothing), or by status only (rollback and the kill switch win every race).
 */
export type Guard = { version: number } | { statuses: readonly ReleaseStatus[] };

/**
 * One plan transition as statements for one D1 batch: the guarded update, then the decision and
 * its audit entry, both only if the update changed the row. `after` is the plan as it will be.
 */
export function transitionStatements(
  db: D1Database,
  plan: Plan,
  change: PlanChange,
  decision: Decision,
  actor: Actor,
  guard: Guard,
  opts: TransitionOptions = {},
): { statements: D1PreparedStatement[]; after: Plan } {
  const chained = opts.chained === true;
  const entries = Object.entries(change) as [keyof PlanChange, unknown][];
  const sets = entries.map(([k]) => `${COLUMN_OF[k]} = ?`);
  const where = 'version' in guard ? 'version = ?' : `status IN (${inList(guard.statuses)})`;
  const update = db
    .prepare(
      `UPDATE release_plans SET ${[...sets, 'version = version + 1', "updated_at = unixepoch('subsec') * 1000"].join(', ')}
       WHERE id = ? AND ${where}${chained ? ' AND changes() = 1' : ''}`,
    )
    .bind(...entries.map(([, v]) => v ?? null), plan.id, ...('version' in guard ? [guard.version] : []));
  const after: Plan = { ...plan, ...change, version: plan.version + 1 } as Plan;
  const record = decisionStatements(db, plan, after, decision, actor, true);
  // A plan entering or leaving a live status changes the snapshot's `tracked`: bump its version.
  const bump = opts.tracked ? [bumpStatement(db, plan.environment, true)] : [];
  return { statements: [update, ...record, ...bump], after };
}

export interface TransitionOptions {
  /** Chain the update on the statement before it in the batch (`changes() = 1`). */
  chained?: boolean;
  /** The plan enters or leaves a live status: the environment's snapshot version is bumped too (publish after). */
  tracked?: boolean;
}

/**
 * A decision that changes nothing in the plan (a hold): the timeline row and its audit entry.
 * With `guard`, only while the plan is still at the version the decision was made on (a no-op
 * update the row and entry chain on): an engine hold must not land after a person ended the plan.
 */
export async function recordDecision(
  db: D1Database,
  plan: Plan,
  decision: Decision,
  actor: Actor,
  guard?: { version: number },
): Promise<void> {
  if (!guard) {
    await db.batch(decisionStatements(db, plan, plan, decision, actor, false));
    return;
  }
  const still = db.prepare('UPDATE release_plans SET version = version WHERE id = ? AND version = ?').bind(plan.id, guard.version);
  await db.batch([still, ...decisionStatements(db, plan, plan, decision, actor, true)]);
}

/** The timeline row, then the audit entry (`release.<event>`, which webhooks carry), guarded on the row. */
export function decisionStatements(
  db: D1Database,
  plan: Plan,
  after: Plan,
  decision: Decision,
  actor: Actor,
  guarded: boolean,
): D1PreparedStatement[] {
  const stage = decision.stage ?? after.currentStage;
  // A person's reason belongs on the timeline as well as in the audit log.
  const withReason = decision.reason ? { ...(decision.evidence ?? {}), reason: decision.reason } : decision.evidence;
  const evidence = withReason === undefined ? null : JSON.stringify(withReason);
  const record = db
    .prepare(
      `INSERT INTO release_decisions (plan_id, stage, action, rule, evidence, actor) SELECT ?, ?, ?, ?, ?, ?${guarded ? ' WHERE changes() = 1' : ''}`,
    )
    .bind(plan.id, stage, decision.action, decision.rule ?? null, evidence, actorLabel(actor));
  const audit = auditStatement(
    db,
    {
      actor,
      action: `release.${decision.event}`,
      resourceType: 'release',
      resourceKey: plan.id,
      environment: plan.environment,
      before: summary(plan),
      // The evidence goes into the audit log too: the timeline and the log tell the same story.
      after: {
        ...summary(after),
        decision: { action: decision.action, rule: decision.rule ?? null, stage, evidence: decision.evidence ?? null },
      },
      reason: decision.reason,
    },
    true,
  );
  return [record, audit];
}

/** Runs a transition on its own; answers the plan after it, or undefined when the guard refused. */
export async function transition(
  db: D1Database,
  plan: Plan,
  change: PlanChange,
  decision: Decision,
  actor: Actor,
  guard: Guard,
  opts: TransitionOptions = {},
): Promise<Plan | undefined> {
  const { statements, after } = transitionStatements(db, plan, change, decision, actor, guard, opts);
  const [result] = await db.batch(statements);
  return result?.meta.changes === 1 ? after : undefined;
}

/** What an audit entry and a webhook say about a plan: enough to act on without another read. */
export function summary(plan: Plan): Record<string, JsonValue> {
  const stage = plan.stages[plan.currentStage];
  return {
    id: plan.id,
    flag: plan.flagKey,
    environment: plan.environment,
    status: plan.status,
    stage: plan.currentStage,
    stages: plan.stages.length,
    percentage: stage?.percentage ?? null,
    treatmentVariant: plan.treatmentVariant,
    baselineVariant: plan.baselineVariant,
  };
}
