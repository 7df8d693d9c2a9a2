// ReleaseConductor: one Durable Object per flag per environment (`${environment}:${flagKey}`)
// that runs the flag's live release plan (docs/releases.md). The metrics consumer hands it
// per-variant summaries (`ingest`); its alarm decides every settings.windowSeconds and applies
// the decision through the admin write path, as the engine actor.
//
//   const conductor = env.CONDUCTOR.getByName(conductorName('production', 'new-pdf-engine'));
//   await conductor.ingest({ environment, flag, receivedAt, source: 'server', caller, summaries });

import { DurableObject } from 'cloudflare:workers';
import { sealSoonQuietly } from '../audit/seal.ts';
import type { Env } from '../env.ts';
import { dispatchQuietly } from '../webhooks/dispatch.ts';
import { applyDecision, stageInput } from './conductor-steps.ts';
import type { IngestBatch, IngestResult } from './ingest-types.ts';
import { MetricWindows, type MetricWindowsData } from './metric-windows.ts';
import { ACTIVE_STATUSES, findPlan, type Plan } from './plan-store.ts';
import { type Health, healthOf } from './release-health.ts';

export type { IngestBatch, IngestResult } from './ingest-types.ts';

/** The conductor's name for a flag in an environment. */
export const conductorName = (environment: string, flagKey: string) => `${environment}:${flagKey}`;

interface Meta {
  planId: string;
  environment: string;
  flag: string;
  windowSeconds: number;
  browserMetrics: boolean;
  perCallerShare: number;
  /** False once the plan ended: late summaries are dropped. */
  active: boolean;
}

const settingsOf = (m: Meta) => ({ windowSeconds: m.windowSeconds, browserMetrics: m.browserMetrics, perCallerShare: m.perCallerShare });

export class ReleaseConductor extends DurableObject<Env> {
  private metrics: MetricWindows | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // One row per window, so an ingest rewrites the few windows it touched, not the release.
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS windows (start INTEGER PRIMARY KEY, data TEXT NOT NULL)');
  }

  /** A plan started (or a new one replaced the last): fresh windows, first decision one window from now. */
  async begin(plan: Pick<Plan, 'id' | 'environment' | 'flagKey' | 'settings'>): Promise<void> {
    const meta: Meta = {
      planId: plan.id,
      environment: plan.environment,
      flag: plan.flagKey,
      windowSeconds: plan.settings.windowSeconds,
      browserMetrics: plan.settings.browserMetrics,
      perCallerShare: plan.settings.perCallerShare,
      active: true,
    };
    await this.ctx.storage.put('meta', meta);
    this.ctx.storage.sql.exec('DELETE FROM windows');
    this.metrics = new MetricWindows({ windows: [], settings: settingsOf(meta) });
    await this.ctx.storage.setAlarm(Date.now() + meta.windowSeconds * 1000);
  }

  /** Decide soon (an approval or a resume): within the next moment rather than a window away. */
  async wake(planId: string): Promise<void> {
    const meta = await this.meta();
    if (meta?.planId !== planId) return;
    await this.ctx.storage.put('meta', { ...meta, active: true });
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Summaries for this flag, from the metrics queue consumer. */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const meta = await this.meta();
    if (!meta?.active || batch.environment !== meta.environment || batch.flag !== meta.flag)
      return { accepted: 0, dropped: batch.summaries.length };
    const metrics = this.windows(meta);
    const list = metrics.toJSON().windows;
    const first = list[0];
    const open = list.filter((w) => !w.closed);
    const result = metrics.add(batch, settingsOf(meta));
    // Only the window the batch landed in and the ones that were open (closing) change, unless
    // the oldest was merged away (a full week kept) or an older one came first: then all.
    const windowMs = meta.windowSeconds * 1000;
    const landed = Math.floor(batch.receivedAt / windowMs) * windowMs;
    if (first !== undefined && list[0] !== first) this.persist(list, true);
    else
      this.persist(
        list.filter((w) => w.start === landed || open.includes(w)),
        false,
      );
    return result;
  }

  /** Windows, thresholds and the test's state for GET …/releases/{id}; empty for another plan's id. */
  async health(plan: Plan, approved: boolean): Promise<Health> {
    const meta = await this.meta();
    const windows = meta?.planId === plan.id ? this.windows(meta).windows() : [];
    return healthOf(plan, windows, approved, Date.now());
  }

  override async alarm(): Promise<void> {
    const meta = await this.meta();
    if (!meta?.active) return;
    const plan = await findPlan(this.env.DB, meta.planId);
    // Paused: no decisions until resumed (resume wakes this). Ended: late summaries are dropped.
    if (!plan || !ACTIVE_STATUSES.includes(plan.status)) {
      if (plan?.status !== 'paused') await this.deactivate(meta.planId);
      return;
    }
    try {
      const input = await stageInput(this.env.DB, plan, this.windows(meta).windows(), Date.now());
      await applyDecision(this.env, this.ctx, plan, input);
      // The decision's audit entry goes to the webhooks, and into the audit chain, now, not at the next cron minute.
      await Promise.all([dispatchQuietly(this.env), sealSoonQuietly(this.env)]);
    } catch (e) {
      // A failed step (D1 briefly unavailable, a lost race) is decided again next window.
      console.warn(`release ${plan.id}: deciding failed`, e);
    }
    const after = await findPlan(this.env.DB, plan.id);
    if (after && ACTIVE_STATUSES.includes(after.status)) await this.ctx.storage.setAlarm(Date.now() + meta.windowSeconds * 1000);
  }

  /**
   * Stops ingesting for an ended plan — unless a new plan of the flag began while this alarm
   * waited on D1 (begin() ran in between): its fresh meta must not be overwritten by the old one.
   */
  private async deactivate(planId: string): Promise<void> {
    const now = await this.meta();
    if (now?.planId === planId) await this.ctx.storage.put('meta', { ...now, active: false });
  }

  private async meta(): Promise<Meta | undefined> {
    return this.ctx.storage.get<Meta>('meta');
  }

  /** The windows in memory, read back from storage after an eviction. */
  private windows(meta: Meta): MetricWindows {
    if (this.metrics) return this.metrics;
    const rows = this.ctx.storage.sql.exec<{ data: string }>('SELECT data FROM windows ORDER BY start').toArray();
    const data: MetricWindowsData = { windows: rows.map((r) => JSON.parse(r.data)), settings: settingsOf(meta) };
    this.metrics = new MetricWindows(data);
    return this.metrics;
  }

  private persist(windows: MetricWindowsData['windows'], all: boolean): void {
    const sql = this.ctx.storage.sql;
    if (all) sql.exec('DELETE FROM windows');
    for (const w of windows) sql.exec('INSERT OR REPLACE INTO windows (start, data) VALUES (?, ?)', w.start, JSON.stringify(w));
  }
}
