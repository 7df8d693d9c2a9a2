import type { Env } from '../env.ts';
import { flushPending } from './evaluation-counter.ts';
import { recordAllPhases } from './phase-store.ts';
import { enforceRetention } from './retention.ts';
import { sendStaleDigests } from './stale-digest.ts';

/** wrangler.toml crons: the lifecycle's housekeeping every 15 minutes, the digest on Monday 09:00 UTC. */
export const LIFECYCLE_CRON = '*/15 * * * *';
export const DIGEST_CRON = '0 9 * * 1';

/**
 * Lifecycle housekeeping: write this isolate's evaluation counts, record phases a publish's
 * waitUntil missed, and delete what is past retention (bounded batches). Each step logs and goes
 * on, so one failure does not stop the others.
 */
export async function lifecycleHousekeeping(env: Env, now = Date.now()): Promise<void> {
  await flushPending(env);
  await recordAllPhases(env).catch((e) => console.warn('lifecycle phases not recorded', e));
  await enforceRetention(env, now).catch((e) => console.warn('retention not enforced', e));
}

/** The weekly digest per owner, through the webhooks. */
export async function weeklyDigest(env: Env, now = Date.now()): Promise<void> {
  await sendStaleDigests(env, now).catch((e) => console.warn('stale digest not sent', e));
}
