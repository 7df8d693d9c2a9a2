import { compileSnapshot, type FlagSnapshot, type Snapshot } from '@edgeflags/core';
import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { buildSnapshot, etagOf, kvKey } from './build-snapshot.ts';

export interface CachedSnapshot {
  environment: string;
  version: number;
  etag: string;
  json: string;
  /** Compiled on first evaluation: server-key snapshot downloads never pay for it. */
  readonly compiled: FlagSnapshot;
  checkedAt: number;
}

/**
 * The edge read path. Each isolate keeps the compiled snapshot in memory and, once it is older
 * than SNAPSHOT_MAX_AGE_MS (1 s by default), asks the environment's hub — the authoritative,
 * strongly consistent copy — whether a newer version exists before answering. So a kill switch
 * shows in stateless reads within max-age + one hub round trip, whatever KV's propagation delay.
 * KV is the fallback when the hub cannot be reached; D1 rebuilds a snapshot nobody published yet.
 */
const isolate = new Map<string, CachedSnapshot>();
const inflight = new Map<string, Promise<CachedSnapshot>>();

export function maxAgeMs(env: Env): number {
  const n = Number(env.SNAPSHOT_MAX_AGE_MS);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

export async function readSnapshot(env: Env, environment: string): Promise<CachedSnapshot> {
  const cached = isolate.get(environment);
  if (cached && Date.now() - cached.checkedAt < maxAgeMs(env)) return cached;
  let pending = inflight.get(environment);
  if (!pending) {
    pending = revalidate(env, environment, cached).finally(() => inflight.delete(environment));
    inflight.set(environment, pending);
  }
  return pending;
}

async function revalidate(env: Env, environment: string, cached: CachedSnapshot | undefined): Promise<CachedSnapshot> {
  const hub = env.HUB.getByName(environment);
  try {
    const current = await hub.current(cached?.version);
    if (current && cached && current.version === cached.version) {
      cached.checkedAt = Date.now();
      return cached;
    }
    if (cached && (!current || current.version < cached.version)) {
      // This isolate holds a committed version the hub lacks (its publish failed): never step
      // back, and hand the hub the newer copy so every other isolate converges on it too.
      cached.checkedAt = Date.now();
      void hub
        .publish({ version: cached.version, snapshot: cached.json, etag: cached.etag, changed: [] }, { waitForKv: false })
        .catch(() => undefined);
      return cached;
    }
    if (current?.snapshot) return remember(environment, current.version, current.etag, current.snapshot);
  } catch (e) {
    console.warn(`hub for "${environment}" unreachable, falling back to KV`, e);
    const kv = await env.SNAPSHOTS.getWithMetadata<{ version: number; etag: string }>(kvKey(environment));
    if (kv.value && kv.metadata && (!cached || kv.metadata.version > cached.version)) {
      return remember(environment, kv.metadata.version, kv.metadata.etag, kv.value);
    }
    if (cached) return cached;
  }
  // Nothing published yet (fresh database, or the hub's storage was reset): build from D1 and seed the hub.
  const snapshot: Snapshot = await buildSnapshot(db(env), environment);
  const json = JSON.stringify(snapshot);
  const etag = etagOf(snapshot);
  await hub.publish({ version: snapshot.version, snapshot: json, etag, changed: [] }, { waitForKv: false }).catch(() => undefined);
  return remember(environment, snapshot.version, etag, json);
}

export function remember(environment: string, version: number, etag: string, json: string): CachedSnapshot {
  // Concurrent writes rebuild in any order: an isolate never steps back to an older version.
  const newer = isolate.get(environment);
  if (newer && newer.version > version) return newer;
  let compiled: FlagSnapshot | undefined;
  const entry: CachedSnapshot = {
    environment,
    version,
    etag,
    json,
    checkedAt: Date.now(),
    get compiled() {
      compiled ??= compileSnapshot(JSON.parse(json) as Snapshot);
      return compiled;
    },
  };
  isolate.set(environment, entry);
  return entry;
}

/** Forgets every cached snapshot (tests; a write in this isolate also refreshes its own copy). */
export function forgetSnapshots(): void {
  isolate.clear();
}
