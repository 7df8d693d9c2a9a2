// The edge's copy of each environment's shard count N (hub/shard-routing.ts). Asked of the root
// hub once per SHARD_COUNT_TTL_MS per isolate, and only by stream opens: a copy a few seconds
// old only sends a few new streams to the shards of the old N, which the root still publishes to.
import type { Env } from '../env.ts';
import { shardSettings } from '../hub/shard-routing.ts';

export const SHARD_COUNT_TTL_MS = 10_000;

const known = new Map<string, { count: number; at: number }>();

export async function shardCountFor(env: Env, environment: string, now = Date.now()): Promise<number> {
  const { min } = shardSettings(env);
  const entry = known.get(environment);
  if (entry && now - entry.at < SHARD_COUNT_TTL_MS) return Math.max(min, entry.count);
  try {
    const count = await env.HUB.getByName(environment).shardCount();
    known.set(environment, { count, at: now });
    return Math.max(min, count);
  } catch (e) {
    // The root is unreachable: the last count known (or the minimum) still reaches a shard that holds streams.
    console.warn('reading the shard count failed', e);
    return Math.max(min, entry?.count ?? 1);
  }
}
