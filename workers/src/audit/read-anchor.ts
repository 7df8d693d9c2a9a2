import type { Env } from '../env.ts';
import { ANCHOR_KV_KEY } from './audit-sealer.ts';
import type { ChainAnchor } from './chain.ts';
import { sealer } from './seal.ts';

/**
 * The anchored chain head: the sealer's own copy and KV's. Verification uses the newer: KV only
 * lags the sealer (an eventually consistent copy), so KV ahead means the sealer's storage was
 * reset, and the log must still reach KV's head.
 */
export async function readAnchor(env: Pick<Env, 'AUDIT_SEALER' | 'SNAPSHOTS'>) {
  const [own, copy] = await Promise.all([sealer(env).anchor(), env.SNAPSHOTS.get<ChainAnchor>(ANCHOR_KV_KEY, 'json')]);
  const anchor = own && copy ? (copy.id > own.id ? copy : own) : (own ?? copy);
  return { anchor, sealer: own, kv: copy };
}
