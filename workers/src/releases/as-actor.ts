import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Actor, AppEnv } from '../app-env.ts';
import type { Env } from '../env.ts';

/**
 * Runs `fn` with a request context whose actor is `actor`, so the conductor (a Durable Object
 * alarm, no HTTP request) writes through the same admin write path as a person: policies,
 * validation, guarded commit, audit entry, publish. Errors thrown by `fn` reach the caller as
 * they were thrown (an ApiError stays an ApiError).
 */
export async function asActor<T>(
  env: Env,
  actor: Actor,
  ctx: Pick<ExecutionContext, 'waitUntil'> | undefined,
  fn: (c: Context<AppEnv>) => Promise<T>,
): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  const runner = new Hono<AppEnv>().all('*', async (c) => {
    c.set('actor', actor);
    try {
      outcome = { ok: true, value: await fn(c) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    return c.body(null, 204);
  });
  const executionCtx = { waitUntil: (p: Promise<unknown>) => ctx?.waitUntil(p), passThroughOnException() {}, props: {} };
  await runner.fetch(new Request('https://release-conductor.internal/'), env, executionCtx);
  if (!outcome) throw new Error('asActor: the write did not run');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
