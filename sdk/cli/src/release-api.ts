/**
 * The release plan API as the CLI uses it (workers/src/releases/release-routes.ts): the shapes it
 * reads, finding the plan a command means, and whether an outcome already holds — so a CI step
 * retried after its first run succeeded reports success instead of a version conflict.
 */
import type { AdminClient } from './admin-client.ts';

export type ReleaseStatus = 'draft' | 'running' | 'waiting_approval' | 'paused' | 'rolled_back' | 'completed' | 'aborted';

export interface Plan {
  id: string;
  flagKey: string;
  environment: string;
  status: ReleaseStatus;
  currentStage: number;
  stages: Array<{ percentage: number; approval: 'auto' | 'manual'; minDurationSeconds: number }>;
  version: number;
  stageStartedAt: number | null;
  endReason: string | null;
}

export interface Decision {
  at: number;
  stage: number;
  action: string;
  rule: string | null;
  actor: string;
}

export interface Detail {
  plan: Plan;
  decisions: Decision[];
  approval: { id: string; status: string; stage: number } | null;
  health?: { now?: { action: string; rule: string } | null } | null;
}

export const LIVE: readonly ReleaseStatus[] = ['running', 'waiting_approval', 'paused'];
export const TERMINAL: readonly ReleaseStatus[] = ['completed', 'rolled_back', 'aborted'];
/** Outcomes a pipeline should fail on. */
export const FAILED: readonly ReleaseStatus[] = ['rolled_back', 'aborted'];

export type PlanAction = 'approve' | 'reject' | 'pause' | 'resume' | 'rollback' | 'abort' | 'start';

export class Releases {
  readonly #api: AdminClient;
  readonly base: string;

  constructor(api: AdminClient, flag: string, environment: string) {
    this.#api = api;
    this.base = `/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(environment)}/releases`;
  }

  list(): Promise<{ releases: Plan[] }> {
    return this.#api.get(this.base);
  }

  detail(id: string): Promise<Detail> {
    return this.#api.get(`${this.base}/${encodeURIComponent(id)}`);
  }

  create(body: { template?: string; start: boolean; reason?: string }, idempotencyKey: string): Promise<{ plan: Plan }> {
    return this.#api.post(this.base, body, { idempotencyKey });
  }

  act(action: PlanAction, plan: Plan, reason: string | undefined, idempotencyKey: string): Promise<{ plan: Plan }> {
    const body = reason === undefined ? {} : { reason };
    // Rollback is the protective move: never version-guarded, so a stale read cannot block it.
    const version = action === 'rollback' ? undefined : plan.version;
    return this.#api.post(`${this.base}/${encodeURIComponent(plan.id)}/${action}`, body, {
      idempotencyKey,
      ...(version !== undefined && { version }),
    });
  }

  /** `--plan`, else the newest plan (status) or the live one (every other action). */
  async find(id: string | undefined, live: boolean): Promise<Plan | undefined> {
    if (id) return (await this.detail(id)).plan;
    const { releases } = await this.list();
    return live ? releases.find((p) => LIVE.includes(p.status)) : releases[0];
  }
}

/**
 * Whether what `action` asked for is already true of the plan — e.g. a retried `pause` after
 * the first one paused it. Approvals are matched by the stage the command saw.
 */
export function outcomeHolds(action: PlanAction, detail: Detail, stage: number): boolean {
  const { plan, decisions } = detail;
  switch (action) {
    case 'pause':
      return plan.status === 'paused';
    case 'resume':
      return plan.status === 'running' || plan.status === 'waiting_approval';
    case 'abort':
      return plan.status === 'aborted';
    case 'rollback':
      return plan.status === 'rolled_back';
    case 'start':
      return decisions.some((d) => d.action === 'start');
    case 'approve':
    case 'reject':
      return decisions.some((d) => d.action === action && d.stage === stage);
  }
}

const clock = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** One line about a plan: `running · stage 2 of 4 (25%) · last: advance (healthy) at …`. */
export function describe(detail: Detail): string {
  const { plan, decisions } = detail;
  const stage = plan.stages[plan.currentStage];
  const parts = [`release ${plan.id} of ${plan.flagKey} in ${plan.environment}: ${plan.status}`];
  if (stage) parts.push(`stage ${plan.currentStage + 1} of ${plan.stages.length} (${stage.percentage}%)`);
  const last = decisions.at(-1);
  if (last) parts.push(`last: ${last.action}${last.rule ? ` (${last.rule})` : ''} at ${clock(last.at)} by ${last.actor}`);
  if (plan.endReason && TERMINAL.includes(plan.status)) parts.push(`ended: ${plan.endReason}`);
  return parts.join(' · ');
}
