import { loadConfig } from '../admin/write-config.ts';
import type { Actor } from '../app-env.ts';
import type { Env } from '../env.ts';
import { asActor } from '../releases/as-actor.ts';
import { applyChange, approvalsNeeded, commitSwitch } from './change-actions.ts';
import { approvalCount, approvalsOf, dueChanges } from './change-store.ts';

/** Who applies scheduled changes in the audit log: the approvers are named in each entry's reason. */
export const SCHEDULER: Actor = { id: 'scheduler', name: 'scheduled change', role: 'admin', productionAccess: true };

type Waiter = Pick<ExecutionContext, 'waitUntil'> | undefined;

/**
 * The cron's part (every minute): approved changes whose `applyAt` has come are applied through
 * the same path as a person's apply (version re-checked, policies, audit); one the flag moved
 * under is marked failed with why. Changes carried in the snapshot are installed as soon as they
 * are approved, and a switch whose instant passed is written into the configuration, so D1
 * converges on what every evaluator already serves. Never throws: one bad change stops no other.
 */
export async function runScheduledChanges(env: Env, now = Date.now(), ctx?: Waiter): Promise<{ applied: string[]; failed: string[] }> {
  const applied: string[] = [];
  const failed: string[] = [];
  for (const change of await dueChanges(env.DB, now)) {
    // Not approved yet: it waits, and applies at the first run after its last approval.
    if (approvalCount(change, await approvalsOf(env.DB, change)) < (await approvalsNeeded(env.DB, change))) continue;
    try {
      await asActor(env, SCHEDULER, ctx, (c) => applyChange(c, change, change.version, now));
      applied.push(change.id);
    } catch (e) {
      // The flag moved, a policy refuses it now, the flag was archived: it will not apply by itself.
      failed.push(change.id);
      const why = e instanceof Error ? e.message : String(e);
      await env.DB.prepare(
        "UPDATE change_requests SET status = 'failed', outcome = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = 'open'",
      )
        .bind(`not applied at ${new Date(now).toISOString()}: ${why}`, now, change.id)
        .run();
    }
  }
  await settleSwitches(env, now, ctx);
  return { applied, failed };
}

/** Configurations whose snapshot-carried switch has happened: the switched fields become the configuration. */
export async function settleSwitches(env: Env, now: number, ctx?: Waiter, only?: string): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT flag_key AS flagKey, environment FROM flag_configs WHERE scheduled_switch IS NOT NULL AND json_extract(scheduled_switch, '$.at') <= ?${only ? ' AND environment = ?' : ''} LIMIT 50`,
  )
    .bind(...(only ? [now, only] : [now]))
    .all<{ flagKey: string; environment: string }>();
  let settled = 0;
  for (const { flagKey, environment } of results) {
    try {
      await asActor(env, SCHEDULER, ctx, async (c) => {
        const loaded = await loadConfig(c, flagKey, environment);
        const s = loaded.config.scheduledSwitch as { at: number; config: Partial<typeof loaded.config> } | null;
        if (!s) return;
        const next = { ...loaded.config, ...s.config, scheduledSwitch: null };
        await commitSwitch(c, loaded, next, {
          flagKey,
          environment,
          action: 'config.switch',
          reason: `scheduled switch at ${new Date(s.at).toISOString()}`,
        });
      });
      settled++;
    } catch (e) {
      // Retried next minute; meanwhile every evaluator already serves the switched configuration.
      console.warn(`scheduled switch of "${flagKey}" in "${environment}" not settled`, e);
    }
  }
  return settled;
}
