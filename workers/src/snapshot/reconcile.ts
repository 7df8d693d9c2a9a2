import type { Env } from '../env.ts';
import { markPending, undelivered } from './delivery-state.ts';
import { deliver } from './publish.ts';

/**
 * The backstop behind every write's own retries, run by the Cron Trigger every minute
 * (wrangler.toml `[triggers]`): each environment whose committed snapshot version the hub and
 * KV have not both confirmed is rebuilt from D1 and published again. Publishing is idempotent
 * (the hub ignores a version it has and only re-checks KV), so a run that overlaps a write's own
 * delivery does no harm. Whatever failed, the edge converges within one period of a recovery.
 */
export async function reconcileDeliveries(env: Env): Promise<{ checked: number; delivered: number }> {
  const behind = await undelivered(env.DB);
  let delivered = 0;
  for (const environment of behind) {
    // The hub cannot tell what changed across the gap, so it says "anything may have".
    const result = await deliver(env, environment, []);
    if (result.delivery === 'delivered') delivered++;
    else await markPending(env.DB, environment, result.error ?? 'delivery pending').catch(() => undefined);
  }
  return { checked: behind.length, delivered };
}
