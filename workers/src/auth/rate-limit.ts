import type { SdkKey } from '../app-env.ts';
import type { Env } from '../env.ts';
import { callerNetwork } from './caller.ts';

/**
 * SDK rate-limit policy (docs/scale.md "Rate limits"). The Workers rate-limit binding counts per
 * location with no cross-region call, but its limit and period are fixed in wrangler.toml, so
 * keys choose among fixed tiers rather than numbers of their own. A key's tier (`standard` by
 * default, or `high`: the *_HIGH bindings, five times the budget, same period) is a column of
 * sdk_keys that the key cache carries, so choosing the binding costs no lookup. Standard:
 * - server keys (one service's secret, a backend at hundreds of evaluations a second):
 *   SERVER_RATE_LIMITER, 10,000 per 10 s per key, i.e. 1,000 req/s per location;
 * - client keys (public, shared by every browser of the app): CLIENT_RATE_LIMITER, 6,000 a
 *   minute per key and caller (IPv6: per /64), so one caller spends only its own budget.
 * Within a tier each route class has its own budget (the class is part of the counted key):
 * a flood of events never costs a caller its evaluations, nor its stream reconnects. A browser's
 * refetch after a stream's nudge (`?refetch=<id>`, jittered over 2 s) has a budget of its own,
 * so a change that reaches every browser at once is never refused for the caller's other traffic
 * (a caller that forges the parameter only gains a second budget of the same size).
 */
export type Budget = 'evaluate' | 'events' | 'stream' | 'refetch';

/** Seconds until a refused caller's window has surely turned: the tier's period. */
export const RETRY_AFTER_SECONDS = { server: 10, client: 60 } as const satisfies Record<SdkKey['kind'], number>;

export interface RateLimitPlan {
  limiter: RateLimit;
  key: string;
  retryAfterSeconds: number;
}

type Limiters = Pick<Env, 'SERVER_RATE_LIMITER' | 'CLIENT_RATE_LIMITER' | 'SERVER_RATE_LIMITER_HIGH' | 'CLIENT_RATE_LIMITER_HIGH'>;

/** Which binding counts this request, under which key. */
export function rateLimitPlan(env: Limiters, key: SdkKey, budget: Budget, headers: Headers): RateLimitPlan {
  const high = key.rateTier === 'high';
  if (key.kind === 'server')
    return {
      limiter: high ? env.SERVER_RATE_LIMITER_HIGH : env.SERVER_RATE_LIMITER,
      key: `${key.id}|${budget}`,
      retryAfterSeconds: RETRY_AFTER_SECONDS.server,
    };
  return {
    limiter: high ? env.CLIENT_RATE_LIMITER_HIGH : env.CLIENT_RATE_LIMITER,
    key: `${key.id}|${budget}|${callerNetwork(headers) ?? ''}`,
    retryAfterSeconds: RETRY_AFTER_SECONDS.client,
  };
}

/** True when the request is within its budget. */
export async function withinRateLimit(plan: RateLimitPlan): Promise<boolean> {
  return (await plan.limiter.limit({ key: plan.key })).success;
}
