import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { twinsDecidedByRoute } from '../admin/idempotency.ts';
import { jsonBody, ok, security } from '../admin/openapi-helpers.ts';
import { FlagEnvParams } from '../admin/schemas.ts';
import { requireVersion } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { validationHook } from '../errors.ts';
import { stageApproval } from './conductor-steps.ts';
import { TEMPLATES } from './plan-schema.ts';
import { currentPlans, type Plan, planAt, plansOf } from './plan-store.ts';
import {
  abortPlan,
  approvePlan,
  createPlan,
  pausePlan,
  rejectPlan,
  resumePlan,
  rollbackPlan,
  startPlan,
  type Written,
} from './release-actions.ts';
import { conductorName } from './release-conductor.ts';
import {
  LiveReleaseList,
  ReleaseAction,
  ReleaseCreate,
  ReleaseDetail,
  ReleaseList,
  ReleaseParams,
  ReleaseWritten,
  TemplateList,
} from './release-schemas.ts';

const base = '/flags/{key}/environments/{env}/releases';
const tags = ['releases'];

type Action = (c: Context<AppEnv>, plan: Plan, expected: number, reason?: string) => Promise<Written>;
const ACTIONS: [name: string, run: Action, summary: string][] = [
  [
    'start',
    (c, plan, expected, reason) => startPlan(c, plan, reason, expected),
    'Start a draft: stage 1 is applied, the conductor decides every window',
  ],
  ['pause', pausePlan, 'Pause: the conductor stops deciding; the flag keeps serving the current stage'],
  ['resume', resumePlan, 'Resume: the current stage is applied again (out of a kill switch too) and its clock restarts'],
  ['abort', abortPlan, 'Abort: the plan ends; the flag keeps serving what it serves now'],
  ['approve', approvePlan, "Approve the current stage's manual gate: the conductor advances"],
  ['reject', rejectPlan, "Reject the current stage's gate: the release is rolled back"],
];

/** Guarded releases of a flag in one environment (docs/releases.md). */
export const releaseRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/release-templates',
      tags,
      security,
      middleware: [requireRole('viewer')],
      responses: ok('Plan templates: the seeds’ two plans and a default', TemplateList),
    }),
    (c) => c.json({ templates: TEMPLATES }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/releases',
      tags,
      security,
      middleware: [requireRole('viewer')],
      responses: ok(
        'Live releases across flags (running, waiting for approval, paused) and those that ended in the last 24 h, newest first per flag and environment, with their last decision',
        LiveReleaseList,
      ),
    }),
    async (c) => {
      const plans = await currentPlans(c.env.DB);
      const last = await lastDecisions(
        c.env.DB,
        plans.map((p) => p.id),
      );
      const releases = plans.map((plan) => {
        const stage = plan.stages[plan.currentStage];
        const nextAt = stage && plan.stageStartedAt !== null ? plan.stageStartedAt + stage.minDurationSeconds * 1000 : null;
        return { ...plan, lastDecision: last.get(plan.id) ?? null, nextAt };
      });
      return c.json({ releases }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: base,
      tags,
      security,
      middleware: [access('environment')],
      request: { params: FlagEnvParams, ...jsonBody(ReleaseCreate) },
      responses: ok('Created (a draft, or started with `start: true`)', ReleaseWritten),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      return c.json(await createPlan(c, key, env, c.req.valid('json')), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: base,
      tags,
      security,
      middleware: [requireRole('viewer')],
      request: { params: FlagEnvParams },
      responses: ok('Releases of the flag in the environment, newest first', ReleaseList),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      return c.json({ releases: await plansOf(c.env.DB, key, env) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      security,
      middleware: [requireRole('viewer')],
      request: { params: ReleaseParams },
      responses: ok('The plan, its timeline with evidence, the open approval, and per-variant health', ReleaseDetail),
    }),
    async (c) => {
      const { key, env, id } = c.req.valid('param');
      const plan = await planAt(c.env.DB, key, env, id);
      const [decisions, approval] = await Promise.all([timeline(c.env.DB, plan.id), stageApproval(c.env.DB, plan.id, plan.currentStage)]);
      const health = await c.env.CONDUCTOR.getByName(conductorName(env, key)).health(plan, approval?.status === 'approved');
      return c.json(
        { plan, decisions, approval: approval ? { id: approval.id, status: approval.status, stage: plan.currentStage } : null, health },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${base}/{id}/rollback`,
      tags,
      security,
      // The protective move: no version, and a retry beside its in-flight twin runs (applying it twice is applying it once).
      middleware: [access('environment'), twinsDecidedByRoute()],
      request: { params: ReleaseParams, ...jsonBody(ReleaseAction) },
      responses: ok(
        'Rolled back: everyone the rollout reached is served the baseline; the plan ends. Never blocked, no version needed',
        ReleaseWritten,
      ),
    }),
    async (c) => {
      const { key, env, id } = c.req.valid('param');
      const plan = await planAt(c.env.DB, key, env, id);
      return c.json(await rollbackPlan(c, plan, c.req.valid('json').reason), 200);
    },
  );

for (const [name, run, summary] of ACTIONS) {
  releaseRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{id}/${name}`,
      tags,
      security,
      summary,
      middleware: [access('environment')],
      request: { params: ReleaseParams, ...jsonBody(ReleaseAction) },
      responses: ok(summary, ReleaseWritten),
    }),
    async (c) => {
      const { key, env, id } = c.req.valid('param');
      const { version, reason } = c.req.valid('json');
      const expected = requireVersion(c, version, "the release's version");
      const plan = await planAt(c.env.DB, key, env, id);
      return c.json(await run(c, plan, expected, reason), 200);
    },
  );
}

async function timeline(db: D1Database, planId: string) {
  const { results } = await db
    .prepare('SELECT id, at, stage, action, rule, evidence, actor FROM release_decisions WHERE plan_id = ? ORDER BY id')
    .bind(planId)
    .all<{ id: number; at: number; stage: number; action: string; rule: string | null; evidence: string | null; actor: string }>();
  return results.map((d) => ({ ...d, evidence: d.evidence === null ? null : (JSON.parse(d.evidence) as Record<string, unknown>) }));
}

async function lastDecisions(db: D1Database, ids: string[]) {
  const out = new Map<string, { action: string; rule: string | null; at: number }>();
  if (ids.length === 0) return out;
  const { results } = await db
    .prepare(
      `SELECT plan_id AS planId, action, rule, at FROM release_decisions d WHERE id = (SELECT MAX(id) FROM release_decisions WHERE plan_id = d.plan_id) AND plan_id IN (${ids.map(() => '?').join(',')})`,
    )
    .bind(...ids)
    .all<{ planId: string; action: string; rule: string | null; at: number }>();
  for (const r of results) out.set(r.planId, { action: r.action, rule: r.rule, at: r.at });
  return out;
}
