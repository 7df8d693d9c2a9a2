import type { Context } from 'hono';
import { auditStatement } from '../admin/audit.ts';
import { staleVersion } from '../admin/conflicts.ts';
import { isProtective } from '../admin/protective-move.ts';
import { loadConfig } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { labelNames } from '../auth/actor-label.ts';
import { ApiError } from '../errors.ts';
import { actorLabel, type Plan } from '../releases/plan-store.ts';
import { requiredApprovals } from './change-review.ts';

/**
 * In an environment that reviews flag changes, a release plan is approved before it starts, like
 * a change request: then its steps are pre-authorised (the conductor's percentage moves need no
 * request), and a start cannot bypass review. Approvals share the approvals table, subject
 * `release:<planId>:plan`, decided by someone other than the plan's creator.
 */
export const planSubject = (planId: string) => `release:${planId}:plan`;

const refuse = (message: string) => new ApiError(422, 'rule_violation', message, { issues: [{ path: '', message }] });

async function creatorOf(db: D1Database, planId: string): Promise<string | undefined> {
  const row = await db
    .prepare("SELECT actor FROM release_decisions WHERE plan_id = ? AND action = 'create' ORDER BY id LIMIT 1")
    .bind(planId)
    .first<{ actor: string }>();
  return row?.actor;
}

async function approversOf(db: D1Database, planId: string, creator: string | undefined): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT DISTINCT decided_by AS who FROM approvals WHERE subject = ? AND status = 'approved'")
    .bind(planSubject(planId))
    .all<{ who: string }>();
  return results.map((r) => r.who).filter((who) => who !== creator);
}

/** Before a person starts a plan: 422 review_required unless enough people other than its creator approved it. */
export async function assertPlanApproved(c: Context<AppEnv>, plan: Plan): Promise<void> {
  const required = await requiredApprovals(c.env.DB, plan.environment);
  if (required === 0) return;
  const have = (await approversOf(c.env.DB, plan.id, await creatorOf(c.env.DB, plan.id))).length;
  if (have >= required) return;
  throw new ApiError(
    422,
    'review_required',
    `"${plan.environment}" reviews flag changes: release ${plan.id} needs ${required} approval${required === 1 ? '' : 's'} from people other than its creator before it starts (${have} so far; POST …/releases/${plan.id}/approve on the draft)`,
    { requiredApprovals: required, approvals: have },
  );
}

/** `start: true` at creation cannot be reviewed first: refused before the draft is written. */
export async function refuseStartWithoutReview(c: Context<AppEnv>, environment: string): Promise<void> {
  const required = await requiredApprovals(c.env.DB, environment);
  if (required > 0)
    throw new ApiError(
      422,
      'review_required',
      `"${environment}" reviews flag changes: create the release as a draft, have it approved, then start it`,
      { requiredApprovals: required },
    );
}

/** A draft's approval (`POST …/releases/{id}/approve` on a draft) in a reviewed environment; undefined elsewhere. */
export async function approveDraft(
  c: Context<AppEnv>,
  plan: Plan,
  expected: number,
  reason?: string,
): Promise<{ plan: Plan; write: null } | undefined> {
  const db = c.env.DB;
  // Without review there is nothing to approve before a start (the caller refuses, as before).
  if ((await requiredApprovals(db, plan.environment)) === 0) return undefined;
  if (plan.version !== expected) throw staleVersion(`release ${plan.id}`, plan.version, expected);
  const actor = c.get('actor');
  const who = actorLabel(actor);
  const creator = await creatorOf(db, plan.id);
  // The same person under another label (Access with or without their name, a token they own) is still them.
  const email = actor.person?.email;
  const isThem = (label: string | undefined) => label !== undefined && (label === who || (email !== undefined && labelNames(label, email)));
  if (isThem(creator)) throw refuse(`the creator of release ${plan.id} cannot approve it`);
  if ((await approversOf(db, plan.id, creator)).some(isThem)) throw refuse(`you already approved release ${plan.id}`);
  await db.batch([
    db
      .prepare(
        'INSERT INTO approvals (id, subject, environment, status, requested_by, decided_by, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .bind(crypto.randomUUID(), planSubject(plan.id), plan.environment, 'approved', creator ?? '', who, Date.now(), reason ?? null),
    auditStatement(db, {
      actor,
      action: 'release.plan_approved',
      resourceType: 'release',
      resourceKey: plan.id,
      environment: plan.environment,
      reason,
    }),
  ]);
  return { plan, write: null };
}

/**
 * Resuming a plan out of the kill switch turns the flag back on. The plan's approval covered its
 * stages, not undoing an emergency stop: in a reviewed environment that is refused (422
 * review_required). Abort the plan, then propose turning the flag back on as a change request (or
 * have a new plan approved). A plan paused by hand, with its flag still on, resumes as before.
 */
export async function refuseResumeOutOfKillSwitch(c: Context<AppEnv>, plan: Plan): Promise<void> {
  const required = await requiredApprovals(c.env.DB, plan.environment);
  if (required === 0) return;
  const { flag, config } = await loadConfig(c, plan.flagKey, plan.environment);
  if (!isProtective(flag, config.enabled)) return;
  throw new ApiError(
    422,
    'review_required',
    `"${plan.environment}" reviews flag changes, and resuming release ${plan.id} would switch "${plan.flagKey}" back on after the kill switch: abort it, then propose switching the flag on as a change request (POST /api/v1/environments/${plan.environment}/change-requests)`,
    { requiredApprovals: required, changeRequests: `/api/v1/environments/${plan.environment}/change-requests` },
  );
}
