/**
 * Asking the AuditSealer to seal. Never awaited by a write: `sealAfterWrites` hands it to
 * waitUntil after the answer, so a sealer that is slow, failing or throwing cannot delay or fail
 * any write (protective moves included); the cron calls `sealQuietly` (a pass, now) every minute
 * as the backstop.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Env } from '../env.ts';
import { SEALER_NAME } from './audit-sealer.ts';

export const sealer = (env: Pick<Env, 'AUDIT_SEALER'>) => env.AUDIT_SEALER.getByName(SEALER_NAME);

/** Logs instead of throwing: what stays unsealed is sealed by the next write's pass or the cron. */
export async function sealQuietly(env: Pick<Env, 'AUDIT_SEALER'>): Promise<void> {
  try {
    await sealer(env).seal();
  } catch (e) {
    console.warn('audit seal failed; the next write or the cron retries', e);
  }
}

/** After a write: the sealer seals within SEAL_DELAY_MS (one pass for the writes of that moment). */
export async function sealSoonQuietly(env: Pick<Env, 'AUDIT_SEALER'>): Promise<void> {
  try {
    await sealer(env).sealSoon();
  } catch (e) {
    console.warn('audit seal not scheduled; the next write or the cron seals', e);
  }
}

/** After each admin write (whatever its status: a refused write may still have audited): seal in waitUntil. */
export const sealAfterWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.method === 'GET') return;
  try {
    c.executionCtx.waitUntil(sealSoonQuietly(c.env));
  } catch {
    // No execution context (app.request in a unit test): the cron seals.
  }
};
