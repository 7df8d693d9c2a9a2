// Subscribers of one environment are spread over N Durable Objects ("shards", docs/scale.md §2).
// Shard 0 is the environment's own EnvironmentHub (the root: the one authority for versions,
// replay and KV); shards 1..N-1 are EnvironmentHubs addressed as `<environment>#<i>`, which
// hold streams and replay but never write KV or D1. The root publishes to each of them.
//
// N starts at HUB_MIN_SHARDS (1: a small environment is the single hub it always was) and
// doubles, up to HUB_MAX_SHARDS and while the environment's stream cap can fill the new shards,
// whenever one shard holds HUB_SHARD_CAPACITY streams. It never
// shrinks: a shard past the current N may still hold streams, and the root keeps publishing to it.

import type { StreamCaps, StreamOwner } from './stream-caps.ts';

export interface ShardSettings {
  /** Streams one shard holds before N doubles (memory, and the send loop of one broadcast). */
  capacity: number;
  min: number;
  max: number;
}

export const DEFAULT_SHARD_SETTINGS: ShardSettings = { capacity: 5_000, min: 1, max: 256 };

interface ShardVars {
  HUB_SHARD_CAPACITY?: string;
  HUB_MIN_SHARDS?: string;
  HUB_MAX_SHARDS?: string;
}

export function shardSettings(vars: ShardVars): ShardSettings {
  const read = (raw: string | undefined, fallback: number) => {
    const n = Number(raw);
    return raw !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  const max = read(vars.HUB_MAX_SHARDS, DEFAULT_SHARD_SETTINGS.max);
  return {
    capacity: read(vars.HUB_SHARD_CAPACITY, DEFAULT_SHARD_SETTINGS.capacity),
    min: Math.min(max, read(vars.HUB_MIN_SHARDS, DEFAULT_SHARD_SETTINGS.min)),
    max,
  };
}

/** Environment keys are slugs, so `#` never occurs in one. */
const SEPARATOR = '#';

export function shardName(environment: string, index: number): string {
  return index === 0 ? environment : `${environment}${SEPARATOR}${index}`;
}

/** The environment and shard index an EnvironmentHub's name stands for. */
export function parseHubName(name: string): { environment: string; shard: number } {
  const at = name.lastIndexOf(SEPARATOR);
  if (at < 0) return { environment: name, shard: 0 };
  const shard = Number(name.slice(at + 1));
  return Number.isSafeInteger(shard) && shard > 0 ? { environment: name.slice(0, at), shard } : { environment: name, shard: 0 };
}

/**
 * N after a shard reported `load` streams: doubled when it reached the capacity, within max, and
 * only while the environment's stream cap can fill the doubled shards (2N × capacity ≤ cap). Each
 * shard admits ⌈cap / N⌉ (capShare), so this keeps a shard's share at or above the capacity: a
 * shard that filled up before N doubled is never over its new share, and does not refuse.
 */
export function grownShardCount(current: number, load: number, settings: ShardSettings, environmentCap: number): number {
  const next = Math.min(settings.max, current * 2);
  return load >= settings.capacity && next > current && next * settings.capacity <= environmentCap ? next : current;
}

/**
 * What is hashed to pick a shard. Public kinds (browsers, OFREP web providers) hash their key and
 * caller, so all of one caller's streams land in one shard and the per-caller cap stays exact
 * with no count shared between shards (the cap keeps any one caller's share of a shard small).
 * Servers have no per-caller cap and often share an address, so they hash their instance id
 * (`?instance=`), or a random one.
 */
export function routingKey(kind: string, owner: StreamOwner, instance: string | null): string {
  if ((kind === 'client' || kind === 'ofrep') && owner.caller) return `${owner.keyId}|${owner.caller}`;
  return instance ? `${owner.keyId}|${instance}` : crypto.randomUUID();
}

/** FNV-1a: cheap, stable across isolates and deploys, and spreads short keys well. */
export function shardIndex(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * The caps one shard enforces when N shards share an environment: its share of the key and
 * environment caps (⌈cap / N⌉, so the total is at most cap + N − 1), and the whole per-caller
 * cap, since a caller's streams all hash to one shard.
 */
export function capShare(caps: StreamCaps, shards: number): StreamCaps {
  if (shards <= 1) return caps;
  return {
    perEnvironment: Math.ceil(caps.perEnvironment / shards),
    perKey: Math.ceil(caps.perKey / shards),
    perCaller: caps.perCaller,
  };
}
