import type { Context } from 'hono';
import { staleVersion } from '../admin/conflicts.ts';
import { type LoadedConfig, loadConfig } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { approveDraft, assertPlanApproved, refuseResumeOutOfKillSwitch, refuseStartWithoutReview } from '../changes/plan-approval.ts';
import { ApiError } from '../errors.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import { asActor } from './as-actor.ts';
import { approvalSubject, stageApproval } from './conductor-steps.ts';
import { hasHealthChecks, ReleaseSettings, type Stage, TEMPLATES, type TemplateName } from './plan-schema.ts';
import {
  ACTIVE_STATUSES,
  actorLabel,
  decisionStatements,
  engineActor,
  findPlan,
  LIVE_STATUSES,
  livePlanOf,
  type Plan,
  transition,
  transitionStatements,
} from './plan-store.ts';
import { conductorName } from './release-conductor.ts';
import { type ConfigAnswer, engineStep, rollbackRelease } from './release-writes.ts';

export interface Written {
  plan: Plan;
  write: ConfigAnswer | null;
}

const refuse = (message: string, path = '') => new ApiError(422, 'rule_violation', message, { issues: [{ path, message }] });
const conductor = (c: Context<AppEnv>, plan: Plan) => c.env.CONDUCTOR.getByName(conductorName(plan.environment, plan.flagKey));

function waitUntilOf(c: Context<AppEnv>): Pick<ExecutionContext, 'waitUntil'> | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * What a plan must agree with in what is stored (422 otherwise): both variants exist and differ,
 * the flag is not a maintenance switch, and (seed 004) a release flag reaches production only
 * with health checks in its plan.
 */
function assertPlanFits({ env, flag }: LoadedConfig, p: { treatmentVariant: string; baselineVariant: string; stages: Stage[] }): void {
  const variants = flag.variants as Record<string, unknown>;
  if (!Object.hasOwn(variants, p.treatmentVariant))
    throw refuse(`treatmentVariant: "${p.treatmentVariant}" is not a variant of "${flag.key}"`, 'treatmentVariant');
  if (!Object.hasOwn(variants, p.baselineVariant))
    throw refuse(`baselineVariant: "${p.baselineVariant}" is not a variant of "${flag.key}"`, 'baselineVariant');
  if (p.treatmentVariant === p.baselineVariant) throw refuse('treatmentVariant: must differ from the baseline variant', 'treatmentVariant');
  if (flag.protectiveState === 'on')
    throw refuse(`"${flag.key}" is a maintenance switch (protective state on): it is switched, not released gradually`);
  if (flag.type === 'release' && env.production && !hasHealthChecks(p.stages))
    throw refuse(`a release flag reaches production "${env.key}" only with health checks in its plan: add stages[].checks`, 'stages');
}

async function refuseIfLive(c: Context<AppEnv>, flagKey: string, environment: string, except?: string): Promise<void> {
  const live = await livePlanOf(c.env.DB, flagKey, environment);
  if (live && live.id !== except)
    throw new ApiError(
      409,
      'release_in_progress',
      `"${flagKey}" in "${environment}" already has a live release (${live.id}, ${live.status})`,
      {
        release: live.id,
      },
    );
}

export interface CreateBody {
  template?: TemplateName | undefined;
  stages?: Stage[] | undefined;
  settings?: Partial<ReleaseSettings> | undefined;
  treatmentVariant?: string | undefined;
  baselineVariant?: string | undefined;
  start?: boolean | undefined;
  reason?: string | undefined;
}

/** A draft plan (started at once with `start: true`). */
export async function createPlan(c: Context<AppEnv>, flagKey: string, environment: string, body: CreateBody): Promise<Written> {
  const loaded = await loadConfig(c, flagKey, environment);
  const template = TEMPLATES[body.template ?? 'default'];
  const stages = body.stages ?? template.stages;
  const settings = ReleaseSettings.parse({ ...template.settings, ...body.settings });
  const baselineVariant = body.baselineVariant ?? loaded.config.offVariant;
  const treatmentVariant =
    body.treatmentVariant ?? Object.keys(loaded.flag.variants as object).find((v) => v !== baselineVariant) ?? baselineVariant;
  assertPlanFits(loaded, { treatmentVariant, baselineVariant, stages });
  await refuseIfLive(c, flagKey, environment);
  if (body.start) await refuseStartWithoutReview(c, environment);
  const id = crypto.randomUUID();
  const db = c.env.DB;
  const insert = db
    .prepare(
      'INSERT INTO release_plans (id, environment, flag_key, status, treatment_variant, baseline_variant, stages, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(id, environment, flagKey, 'draft', treatmentVariant, baselineVariant, JSON.stringify(stages), JSON.stringify(settings));
  // The plan, its first timeline row and its audit entry commit together (the row and entry only after the insert).
  const now = Date.now();
  const draft: Plan = {
    id,
    environment,
    flagKey,
    status: 'draft',
    treatmentVariant,
    baselineVariant,
    stages,
    settings,
    currentStage: 0,
    stageStartedAt: null,
    startedAt: null,
    startedBy: null,
    endedAt: null,
    endReason: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await db.batch([
    insert,
    ...decisionStatements(db, draft, draft, { action: 'create', event: 'created', reason: body.reason }, c.get('actor'), true),
  ]);
  const plan = (await findPlan(db, id)) as Plan;
  return body.start ? startPlan(c, plan, body.reason) : { plan, write: null };
}

function expect(plan: Plan, statuses: readonly string[], verb: string): void {
  if (!statuses.includes(plan.status))
    throw refuse(`release ${plan.id} is ${plan.status}: only a ${statuses.join(' or ')} release can be ${verb}`);
}

function checkVersion(plan: Plan, expected: number): void {
  if (plan.version !== expected) throw staleVersion(`release ${plan.id}`, plan.version, expected);
}

/**
 * Starts a draft: stage 0's rollout is written by the engine (a person starting an approved plan
 * pre-authorises its automatic steps), the plan and the config change commit together, and the
 * conductor begins deciding one window later.
 */
export async function startPlan(c: Context<AppEnv>, plan: Plan, reason?: string, expected = plan.version): Promise<Written> {
  expect(plan, ['draft'], 'started');
  checkVersion(plan, expected);
  // In a reviewed environment the plan is approved first; its steps then need no change request.
  await assertPlanApproved(c, plan);
  assertPlanFits(await loadConfig(c, plan.flagKey, plan.environment), plan);
  await refuseIfLive(c, plan.flagKey, plan.environment, plan.id);
  const person = c.get('actor');
  const now = Date.now();
  const stage = plan.stages[0] as Stage;
  const change = { status: 'running' as const, currentStage: 0, stageStartedAt: now, startedAt: now, startedBy: actorLabel(person) };
  const done = await asActor(c.env, engineActor(plan.id), waitUntilOf(c), (ec) =>
    engineStep(ec, plan, stage.percentage, change, { action: 'start', event: 'started', reason }, person, { starting: true, enable: true }),
  );
  if (!done) throw staleVersion(`release ${plan.id}`);
  await conductor(c, plan).begin(done.plan);
  return done;
}

export async function pausePlan(c: Context<AppEnv>, plan: Plan, expected: number, reason?: string): Promise<Written> {
  expect(plan, ACTIVE_STATUSES, 'paused');
  checkVersion(plan, expected);
  const after = await transition(
    c.env.DB,
    plan,
    { status: 'paused' },
    { action: 'pause', event: 'paused', rule: 'manual', reason },
    c.get('actor'),
    {
      version: expected,
    },
  );
  if (!after) throw staleVersion(`release ${plan.id}`);
  return { plan: after, write: null };
}

/** Re-applies the current stage (out of a kill switch too), restarts its clock, and wakes the conductor. */
export async function resumePlan(c: Context<AppEnv>, plan: Plan, expected: number, reason?: string): Promise<Written> {
  expect(plan, ['paused'], 'resumed');
  checkVersion(plan, expected);
  await refuseResumeOutOfKillSwitch(c, plan);
  const stage = plan.stages[plan.currentStage] as Stage;
  const person = c.get('actor');
  const done = await asActor(c.env, engineActor(plan.id), waitUntilOf(c), (ec) =>
    engineStep(
      ec,
      plan,
      stage.percentage,
      { status: 'running', stageStartedAt: Date.now() },
      { action: 'resume', event: 'resumed', reason },
      person,
      { enable: true },
    ),
  );
  if (!done) throw staleVersion(`release ${plan.id}`);
  await conductor(c, plan).wake(plan.id);
  return done;
}

/** Stops the plan and leaves the flag serving what it serves now (roll back to serve the baseline). */
export async function abortPlan(c: Context<AppEnv>, plan: Plan, expected: number, reason?: string): Promise<Written> {
  expect(plan, LIVE_STATUSES, 'aborted');
  checkVersion(plan, expected);
  const actor = c.get('actor');
  const db = c.env.DB;
  const { statements, after } = transitionStatements(
    db,
    plan,
    { status: 'aborted', endedAt: Date.now(), endReason: `aborted by ${actorLabel(actor)}` },
    { action: 'abort', event: 'aborted', rule: 'manual', reason },
    actor,
    { version: expected },
    { tracked: true },
  );
  const cancel = db
    .prepare(
      "UPDATE approvals SET status = 'cancelled', decided_by = ?, decided_at = ? WHERE subject LIKE ? AND status = 'pending' AND EXISTS (SELECT 1 FROM release_plans WHERE id = ? AND version = ? AND status = 'aborted')",
    )
    .bind(actorLabel(actor), Date.now(), `release:${plan.id}:%`, plan.id, after.version);
  const [result] = await db.batch([...statements, cancel]);
  if (result?.meta.changes !== 1) throw staleVersion(`release ${plan.id}`);
  await publishForRequest(c, plan.environment, [plan.flagKey]);
  return { plan: after, write: null };
}

/** Grants the current stage's gate; the conductor advances at once (on its next alarm, scheduled now). */
export async function approvePlan(c: Context<AppEnv>, plan: Plan, expected: number, reason?: string): Promise<Written> {
  const draft = plan.status === 'draft' ? await approveDraft(c, plan, expected, reason) : undefined;
  if (draft) return draft;
  expect(plan, ['waiting_approval'], 'approved');
  checkVersion(plan, expected);
  const approval = await pendingApproval(c, plan);
  const actor = c.get('actor');
  const db = c.env.DB;
  const { statements, after } = transitionStatements(
    db,
    plan,
    { status: 'running' },
    { action: 'approve', event: 'approved', rule: 'manual_approval', reason },
    actor,
    { version: expected },
  );
  const grant = db
    .prepare(
      "UPDATE approvals SET status = 'approved', decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending' AND changes() = 1",
    )
    .bind(actorLabel(actor), Date.now(), reason ?? null, approval.id);
  const [result] = await db.batch([...statements, grant]);
  if (result?.meta.changes !== 1) throw staleVersion(`release ${plan.id}`);
  await conductor(c, plan).wake(plan.id);
  return { plan: after, write: null };
}

/** Refuses the gate: the release is rolled back (the protective move) and ends. */
export async function rejectPlan(c: Context<AppEnv>, plan: Plan, expected: number, reason?: string): Promise<Written> {
  expect(plan, ['waiting_approval'], 'rejected');
  checkVersion(plan, expected);
  const approval = await pendingApproval(c, plan);
  const actor = c.get('actor');
  const refused = await c.env.DB.prepare(
    "UPDATE approvals SET status = 'rejected', decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'",
  )
    .bind(actorLabel(actor), Date.now(), reason ?? null, approval.id)
    .run();
  if (refused.meta.changes !== 1) throw staleVersion(`approval ${approval.id}`);
  const { plan: after, write } = await rollbackRelease(
    c,
    plan,
    { action: 'reject', event: 'rejected', rule: 'manual_approval', reason },
    actor,
  );
  return { plan: after ?? ((await findPlan(c.env.DB, plan.id)) as Plan), write };
}

/**
 * A person's rollback: the protective move, so no version is needed and nothing blocks it. On a
 * plan already rolled back it answers the plan as it is (applying it twice is applying it once).
 */
export async function rollbackPlan(c: Context<AppEnv>, plan: Plan, reason?: string): Promise<Written> {
  expect(plan, [...LIVE_STATUSES, 'rolled_back'], 'rolled back');
  if (plan.status === 'rolled_back') return { plan, write: null };
  const actor = c.get('actor');
  const { plan: after, write } = await rollbackRelease(
    c,
    plan,
    { action: 'rollback', event: 'rolled_back', rule: 'manual', reason },
    actor,
  );
  return { plan: after ?? ((await findPlan(c.env.DB, plan.id)) as Plan), write };
}

async function pendingApproval(c: Context<AppEnv>, plan: Plan) {
  const approval = await stageApproval(c.env.DB, plan.id, plan.currentStage);
  if (approval?.status !== 'pending')
    throw refuse(`release ${plan.id} has no pending approval (${approvalSubject(plan.id, plan.currentStage)})`);
  return approval;
}
