import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { message, withBudget } from '../hub/kv-writer.ts';
import { recordPhasesSoon } from '../lifecycle/phase-store.ts';
import { buildSnapshot, etagOf } from './build-snapshot.ts';
import { markPending } from './delivery-state.ts';
import { announce, remember } from './edge-cache.ts';

/**
 * `delivered`: the hub holds the version (it pushed it to every stream, and every edge isolate
 * revalidates against it within SNAPSHOT_MAX_AGE_MS) and KV has it or gets it within a second.
 * `pending`: committed in D1, not yet there; retried until it is (docs/delivery.md).
 */
export type DeliveryState = 'delivered' | 'pending';

export interface PublishResult {
  /** The snapshot version the hub was given; null only when D1 could not be read back. */
  version: number | null;
  delivery: DeliveryState;
  /** SDK streams the hub pushed it to. */
  sent: number;
  error?: string;
}

/** A hub that does not answer within this is treated as failed; its publish may still land. */
export const HUB_PUBLISH_TIMEOUT_MS = 3000;
/**
 * Retries after a failed delivery, from the write's `waitUntil`: about 27 s in all, inside the
 * 30 s a Worker may keep running after answering. The cron reconciler covers anything longer.
 */
export const RETRY_DELAYS_MS = [500, 1500, 5000, 20_000];

/**
 * After a committed write: rebuild the environment's snapshot from D1 and hand it to the
 * environment's hub, which pushes it to every stream at once and keeps the KV copy (the hub is
 * KV's only writer, so KV's one-write-a-second limit is kept in one place). Never throws: a
 * failed delivery is recorded in D1 and retried in the background, and the caller says so.
 */
export async function publishEnvironment(
  env: Env,
  environment: string,
  changed: string[],
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
): Promise<PublishResult> {
  const result = await deliver(env, environment, changed);
  // The lifecycle's phases, dated by the config write itself, so never on the write's path: in
  // waitUntil, or (a Durable Object's publish) left running; the 15-minute cron is the backstop.
  const phases = recordPhasesSoon(env, environment);
  ctx?.waitUntil(phases);
  if (result.delivery === 'pending') {
    await recordPending(env, environment, result.error);
    ctx?.waitUntil(retry(env, environment, changed));
  }
  return result;
}

/** The delivery fields of a write's answer in one environment. */
export interface DeliveryAnswer {
  snapshotVersion: number | null;
  delivery: DeliveryState;
  /** SDK streams the hub pushed the change to. */
  delivered: number;
}

/** After a route's commit in one environment: publish, retrying past the answer in `waitUntil`. */
export async function publishForRequest(c: Context<AppEnv>, environment: string, changed: string[]): Promise<DeliveryAnswer> {
  const result = await publishEnvironment(c.env, environment, changed, executionContext(c));
  return { snapshotVersion: result.version, delivery: result.delivery, delivered: result.sent };
}

/** After a commit that changed several environments' snapshots: pending if any one is. */
export async function publishEverywhere(
  c: Context<AppEnv>,
  environments: string[],
  changed: string[],
): Promise<{ delivery: DeliveryState }> {
  const results = await Promise.all(environments.map((e) => publishEnvironment(c.env, e, changed, executionContext(c))));
  return { delivery: results.some((r) => r.delivery === 'pending') ? 'pending' : 'delivered' };
}

function executionContext(c: Context<AppEnv>): Pick<ExecutionContext, 'waitUntil'> | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // Hono without a runtime context (app.request in a unit test): the cron still retries
  }
}

/** One attempt: build from D1, publish to the hub. Used by writes, their retries and the cron. */
export async function deliver(env: Env, environment: string, changed: string[]): Promise<PublishResult> {
  let json: string;
  let version: number;
  let etag: string;
  try {
    const snapshot = await buildSnapshot(db(env), environment);
    json = JSON.stringify(snapshot);
    version = snapshot.version;
    etag = etagOf(snapshot);
  } catch (e) {
    return { version: null, delivery: 'pending', sent: 0, error: `reading the snapshot back from D1 failed: ${message(e)}` };
  }
  // The writer's own isolate serves the new version at once; others revalidate against the hub.
  remember(environment, version, etag, json);
  try {
    const hub = env.HUB.getByName(environment);
    const outcome = await withBudget(hub.publish({ version, snapshot: json, etag, changed }), HUB_PUBLISH_TIMEOUT_MS, () => {
      throw new Error(`no answer within ${HUB_PUBLISH_TIMEOUT_MS} ms`);
    });
    if (outcome.version === version) await announce(env, environment, version, etag, json);
    if (outcome.kv === 'pending') return { version, delivery: 'pending', sent: outcome.sent, error: outcome.error };
    return { version, delivery: 'delivered', sent: outcome.sent };
  } catch (e) {
    return { version, delivery: 'pending', sent: 0, error: `hub publish failed: ${message(e)}` };
  }
}

async function retry(env: Env, environment: string, changed: string[]): Promise<void> {
  for (const delay of RETRY_DELAYS_MS) {
    await scheduler.wait(delay);
    const result = await deliver(env, environment, changed);
    if (result.delivery === 'delivered') return;
    await recordPending(env, environment, result.error);
  }
}

async function recordPending(env: Env, environment: string, error = 'delivery pending'): Promise<void> {
  console.warn(`delivery to "${environment}" pending: ${error}`);
  // D1 may be what failed; the cron finds the environment by its versions all the same.
  await markPending(env.DB, environment, error).catch((e) => console.warn('recording a pending delivery failed', e));
}
