import type { Env } from '../env.ts';
import { publishEnvironment } from '../snapshot/publish.ts';
import { asActor } from './as-actor.ts';
import type { MetricWindow } from './metric-windows.ts';
import { type Decision, engineActor, type Plan, recordDecision, transition, transitionStatements } from './plan-store.ts';
import { engineStep, rollbackRelease } from './release-writes.ts';
import { decideStage, type StageDecision, type StageInput } from './stats/index.ts';
import { emptyAggregate } from './variant-aggregate.ts';

/** What a stage's manual gate is called in the one approval model (governance reuses it). */
export const approvalSubject = (planId: string, stage: number) => `release:${planId}:stage:${stage}`;

/** The latest approval of a plan's stage gate, if one was asked for. */
export async function stageApproval(db: D1Database, planId: string, stage: number) {
  return db
    .prepare(
      'SELECT id, status, requested_at AS requestedAt, decided_by AS decidedBy, decided_at AS decidedAt FROM approvals WHERE subject = ? ORDER BY requested_at DESC, rowid DESC LIMIT 1',
    )
    .bind(approvalSubject(planId, stage))
    .first<{
      id: string;
      status: 'pending' | 'approved' | 'rejected' | 'cancelled';
      requestedAt: number;
      decidedBy: string | null;
      decidedAt: number | null;
    }>();
}

/** The statistics' input for the plan's current stage: treatment against the concurrent control, per window. */
export async function stageInput(db: D1Database, plan: Plan, windows: MetricWindow[], now: number): Promise<StageInput> {
  const stage = plan.stages[plan.currentStage];
  if (!stage) throw new Error(`release ${plan.id} has no stage ${plan.currentStage}`);
  const stageStartedAt = plan.stageStartedAt ?? now;
  const approval = await stageApproval(db, plan.id, plan.currentStage);
  return {
    stage,
    settings: plan.settings,
    stageIndex: plan.currentStage,
    lastStage: plan.currentStage === plan.stages.length - 1,
    elapsedMs: Math.max(0, now - stageStartedAt),
    stageStartedAt,
    windows: windows.map((w) => ({
      start: w.start,
      treatment: w.variants[plan.treatmentVariant]?.decision ?? emptyAggregate(),
      control: w.variants[plan.baselineVariant]?.decision ?? emptyAggregate(),
    })),
    approved: approval?.status === 'approved',
  };
}

const EVENT: Record<StageDecision['action'], string> = {
  advance: 'advanced',
  hold: 'held',
  wait_approval: 'waiting_approval',
  rollback: 'rolled_back',
  complete: 'completed',
};

/**
 * One window's decision, applied as the engine (starting the plan pre-authorised its automatic
 * steps): advance raises the rollout, rollback is the protective move, wait_approval opens an
 * approval, complete ends the plan at 100%, hold is recorded when its reason changes.
 */
export async function applyDecision(
  env: Env,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  plan: Plan,
  input: StageInput,
): Promise<StageDecision> {
  const decided = decideStage(input);
  const engine = engineActor(plan.id);
  const decision: Decision = {
    action: decided.action,
    event: EVENT[decided.action],
    rule: decided.rule,
    evidence: decided.evidence,
  };
  await asActor(env, engine, ctx, async (c) => {
    const db = c.env.DB;
    switch (decided.action) {
      case 'rollback':
        await rollbackRelease(
          c,
          plan,
          { ...decision, reason: `release ${plan.id}: ${decided.rule} at stage ${plan.currentStage + 1}` },
          engine,
          { whileLive: true },
        );
        return;
      case 'advance': {
        const next = plan.currentStage + 1;
        const stage = plan.stages[next];
        if (!stage) return;
        await engineStep(
          c,
          plan,
          stage.percentage,
          { status: 'running', currentStage: next, stageStartedAt: Date.now() },
          { ...decision, stage: next },
          engine,
        );
        return;
      }
      case 'complete': {
        const done = await transition(
          db,
          plan,
          { status: 'completed', endedAt: Date.now(), endReason: 'completed' },
          decision,
          engine,
          { version: plan.version },
          { tracked: true },
        );
        if (done) await publishEnvironment(c.env, plan.environment, [plan.flagKey], ctx);
        return;
      }
      case 'wait_approval':
        if (plan.status === 'running') await requestApproval(db, plan, decision, engine.id);
        return;
      case 'hold':
        if (!(await sameAsLast(db, plan, decided))) await recordDecision(db, plan, decision, engine, { version: plan.version });
        return;
    }
  });
  return decided;
}

/** The plan waits for a person: the transition and the pending approval in one batch. */
async function requestApproval(db: D1Database, plan: Plan, decision: Decision, requestedBy: string): Promise<void> {
  const { statements } = transitionStatements(db, plan, { status: 'waiting_approval' }, decision, engineActor(plan.id), {
    version: plan.version,
  });
  // Asked before (then paused and resumed): the same request still waits for its answer.
  if ((await stageApproval(db, plan.id, plan.currentStage))?.status === 'pending') {
    await db.batch(statements);
    return;
  }
  const open = db
    .prepare('INSERT INTO approvals (id, subject, environment, status, requested_by) SELECT ?, ?, ?, ?, ? WHERE changes() = 1')
    .bind(crypto.randomUUID(), approvalSubject(plan.id, plan.currentStage), plan.environment, 'pending', requestedBy);
  await db.batch([...statements, open]);
}

/** A hold for the same reason as the last decision of this stage adds nothing to the timeline. */
async function sameAsLast(db: D1Database, plan: Plan, decided: StageDecision): Promise<boolean> {
  const last = await db
    .prepare('SELECT action, rule, stage FROM release_decisions WHERE plan_id = ? ORDER BY id DESC LIMIT 1')
    .bind(plan.id)
    .first<{ action: string; rule: string | null; stage: number }>();
  return last?.action === decided.action && last.rule === decided.rule && last.stage === plan.currentStage;
}
