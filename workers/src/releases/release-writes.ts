import type { Serve } from '@edgeflags/core';
import type { Context } from 'hono';
import type { flagConfigs } from '../../../drizzle/schema.ts';
import { isProtective, PROTECTIVE_ATTEMPTS } from '../admin/protective-move.ts';
import { commitConfig, type LoadedConfig, loadConfig, proposeSnapshot, publishConfig } from '../admin/write-config.ts';
import type { Actor, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { publishForRequest } from '../snapshot/publish.ts';
import {
  actorLabel,
  type Decision,
  findPlan,
  isLive,
  LIVE_STATUSES,
  type Plan,
  type PlanChange,
  transition,
  transitionStatements,
} from './plan-store.ts';

type ConfigRow = typeof flagConfigs.$inferSelect;
export type ConfigAnswer = Awaited<ReturnType<typeof publishConfig>>;

/**
 * The rollout of a stage: treatment first, so its bucket range only grows as the percentage rises
 * (nobody already in is taken out, as in config-routes' rolloutServe); control is everyone else,
 * served the baseline. Bucketing keeps the config's attribute (e.g. accountId).
 */
export function stageServe(plan: Plan, current: Serve, percentage: number): Serve {
  if (percentage >= 100) return { variant: plan.treatmentVariant };
  const rest = Math.round((100 - percentage) * 1000) / 1000;
  const serve: Serve = {
    split: [
      { variant: plan.treatmentVariant, weight: percentage },
      { variant: plan.baselineVariant, weight: rest },
    ],
  };
  if (current.bucketBy) serve.bucketBy = current.bucketBy;
  return serve;
}

/** How many times a step re-reads the config after losing its guarded update to a kill switch. */
const STEP_ATTEMPTS = 3;

/**
 * One step of a plan that changes what the flag serves (start, advance, resume, complete), as
 * the engine: the config write and the plan's transition commit in one D1 batch, both guarded,
 * so neither lands without the other. Validated like any write, audited twice (`flag.rollout` on
 * the config by the conductor, `release.<event>` on the plan by `decisionActor`), then published.
 * Answers undefined when the plan changed meanwhile (a person paused it): nothing was written.
 */
export async function engineStep(
  c: Context<AppEnv>,
  plan: Plan,
  percentage: number,
  change: PlanChange,
  decision: Decision,
  decisionActor: Actor,
  opts: { starting?: boolean; enable?: boolean } = {},
): Promise<{ plan: Plan; write: ConfigAnswer } | undefined> {
  for (let attempt = 1; attempt <= STEP_ATTEMPTS; attempt++) {
    const loaded = await loadConfig(c, plan.flagKey, plan.environment);
    // Only a person (start, resume) brings the flag out of its protective state. The engine never
    // does: a kill switch that lands between its read and its write wins (and pauses the plan).
    if (!opts.enable && isProtective(loaded.flag, loaded.config.enabled)) return undefined;
    const next = stepConfig(loaded, plan, percentage, opts.enable === true);
    await proposeSnapshot(c, plan.environment, toDefinition(loaded.flag, next));
    const { statements, after } = transitionStatements(
      c.env.DB,
      plan,
      change,
      decision,
      decisionActor,
      { version: plan.version },
      { chained: true },
    );
    // The config update happens only while the plan is at the version read (and, to start, while
    // no other plan of the flag is live); the plan's update is chained on it.
    const guard = {
      sql: `EXISTS (SELECT 1 FROM release_plans WHERE id = ? AND version = ?)${
        opts.starting
          ? ` AND NOT EXISTS (SELECT 1 FROM release_plans WHERE environment = ? AND flag_key = ? AND id != ? AND status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')}))`
          : ''
      }`,
      params: [plan.id, plan.version, ...(opts.starting ? [plan.environment, plan.flagKey, plan.id] : [])],
    };
    const reason = `release ${plan.id}: ${decision.action} to stage ${(change.currentStage ?? plan.currentStage) + 1} of ${plan.stages.length} (${percentage}%)`;
    const written = await commitConfig(
      c,
      loaded,
      next,
      { flagKey: plan.flagKey, environment: plan.environment, action: 'flag.rollout', reason },
      {
        guard,
        after: statements,
      },
    );
    if (written) return { plan: after, write: await publishConfig(c, plan.flagKey, plan.environment, written) };
    const now = await findPlan(c.env.DB, plan.id);
    if (now?.version !== plan.version) return undefined;
    if (opts.starting)
      throw new ApiError(409, 'release_in_progress', `another release of "${plan.flagKey}" in "${plan.environment}" is live`);
  }
  throw new ApiError(503, 'unavailable', `"${plan.flagKey}" in "${plan.environment}" kept changing; the step will be retried`);
}

/**
 * The config a step leaves: serving the stage's rollout, and with `enable` out of its protective
 * state (a release plan is refused for a maintenance switch, so that is "on").
 */
function stepConfig({ flag, config }: LoadedConfig, plan: Plan, percentage: number, enable: boolean): ConfigRow {
  const enabled = enable ? !isProtective(flag, true) : config.enabled;
  return { ...config, enabled, defaultServe: stageServe(plan, config.defaultServe as Serve, percentage) };
}

/**
 * Rollback: everyone the rollout reached is served what control gets (the baseline variant, not
 * "flag off", which would change users matched by rules). A protective move: no version, no
 * policy, no snapshot validation or size limit, and it wins races by re-reading and re-applying.
 * The plan stops in the same batch as the config write (guarded by status only: nothing a person
 * did meanwhile can refuse it), so no step of the engine can land between the two.
 */
export async function rollbackRelease(
  c: Context<AppEnv>,
  plan: Plan,
  decision: Decision,
  decisionActor: Actor,
  opts: { whileLive?: boolean } = {},
): Promise<{ plan: Plan | undefined; write: ConfigAnswer | null }> {
  const db = c.env.DB;
  const change = { status: 'rolled_back' as const, endedAt: Date.now(), endReason: decision.rule ?? decision.action };
  const guard = { statuses: LIVE_STATUSES };
  // The plan stops in the config write's batch: between two batches an engine step that read the
  // plan before (its guard is the plan's version) could put the rollout back after the rollback.
  const stop = transitionStatements(db, plan, change, decision, decisionActor, guard, { chained: true });
  // The engine decides on a plan read before its write: if a person ended the plan meanwhile
  // (abort leaves the config as it is), its rollback must not rewrite what the flag serves.
  const served = await serveBaseline(
    c,
    plan,
    decision.reason ?? `release ${plan.id} rolled back`,
    opts.whileLive === true,
    stop.statements,
  );
  if (!served) return { plan: undefined, write: null };
  let stopped: Plan | undefined;
  if (served.wrote) {
    const now = await findPlan(db, plan.id);
    stopped = now?.status === 'rolled_back' && now.endedAt === change.endedAt ? now : undefined;
  } else stopped = await transition(db, plan, change, decision, decisionActor, guard, { tracked: true });
  if (stopped) {
    // A gate still waiting (rolled back at a manual gate) is answered: nobody can approve an ended plan.
    await db
      .prepare(
        "UPDATE approvals SET status = 'cancelled', decided_by = ?, decided_at = ? WHERE subject LIKE ? AND status = 'pending' AND EXISTS (SELECT 1 FROM release_plans WHERE id = ? AND status = 'rolled_back')",
      )
      .bind(actorLabel(decisionActor), Date.now(), `release:${plan.id}:%`, plan.id)
      .run();
    // The flag left `tracked`: SDKs stop recording it (the baseline was already published above).
    await publishForRequest(c, plan.environment, [plan.flagKey]);
  }
  return { plan: stopped, write: served.write };
}

/** The baseline served (and `stop` committed with the write, when one was needed); undefined when `whileLive` found the plan ended. */
async function serveBaseline(
  c: Context<AppEnv>,
  plan: Plan,
  reason: string,
  whileLive: boolean,
  stop: D1PreparedStatement[],
): Promise<{ write: ConfigAnswer; wrote: boolean } | undefined> {
  const params = { flagKey: plan.flagKey, environment: plan.environment, action: 'flag.rollback', reason };
  const live = {
    sql: `EXISTS (SELECT 1 FROM release_plans WHERE id = ? AND status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')}))`,
    params: [plan.id],
  };
  let current = await loadConfig(c, plan.flagKey, plan.environment);
  for (let attempt = 1; attempt <= PROTECTIVE_ATTEMPTS; attempt++) {
    if (whileLive && !isLive((await findPlan(c.env.DB, plan.id))?.status ?? 'aborted')) return undefined;
    const variants = current.flag.variants as Record<string, unknown>;
    // A baseline deleted since the plan started would make an unservable snapshot: serve the off variant.
    const variant = Object.hasOwn(variants, plan.baselineVariant) ? plan.baselineVariant : current.config.offVariant;
    const serve = current.config.defaultServe as Serve;
    if (serve.variant === variant && !serve.split) {
      // Already there (a second rollback, or someone's edit): pushed again in case a delivery is pending.
      const definition = { ...toDefinition(current.flag, current.config), version: current.config.version };
      return { write: await publishConfig(c, plan.flagKey, plan.environment, definition), wrote: false };
    }
    const after = await commitConfig(
      c,
      current,
      { ...current.config, defaultServe: { variant } },
      params,
      whileLive ? { guard: live, after: stop } : { after: stop },
    );
    if (after) return { write: await publishConfig(c, plan.flagKey, plan.environment, after), wrote: true };
    current = await loadConfig(c, plan.flagKey, plan.environment);
  }
  throw new ApiError(503, 'unavailable', `"${plan.flagKey}" in "${plan.environment}" kept changing; send the rollback again`);
}
