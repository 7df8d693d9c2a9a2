import { compileSnapshot, type FlagSnapshot, type Snapshot } from '@edgeflags/core';
import { db } from '../db.ts';
import type { Env } from '../env.ts';
import type { EnvironmentHub } from '../hub/environment-hub.ts';
import { buildSnapshot, etagOf, kvKey } from './build-snapshot.ts';
import { CacheApiFreshness, type HubHead, type LocationFreshness } from './location-freshness.ts';

export interface CachedSnapshot {
  environment: string;
  version: number;
  etag: string;
  json: string;
  /** Compiled on first evaluation: server-key snapshot downloads never pay for it. */
  readonly compiled: FlagSnapshot;
  checkedAt: number;
}

/** What a request lends the read path: somewhere to run the refresh after the answer is sent. */
export interface Deferrer {
  waitUntil(work: Promise<unknown>): void;
}

type Hub = Pick<EnvironmentHub, 'current' | 'publish'>;

export interface EdgeCacheOptions {
  now?: () => number;
  freshness?: LocationFreshness;
  hubFor?: (env: Env, environment: string) => Hub;
}

/** Defaults: 1 s soft age, 3 s hard age, 1 s location TTL (docs/scale.md states the bound they give). */
export function maxAgeMs(env: Env): number {
  return knob(env.SNAPSHOT_MAX_AGE_MS, 1000);
}
export function hardMaxAgeMs(env: Env): number {
  return Math.max(knob(env.SNAPSHOT_HARD_MAX_AGE_MS, 3000), maxAgeMs(env));
}
export function locationTtlMs(env: Env): number {
  return knob(env.SNAPSHOT_LOCATION_TTL_MS, 1000);
}
/** Longer than a hub round trip from anywhere: the time one isolate's hub call is left to it. */
export const REFRESH_LEASE_MS = 500;

function knob(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * The edge read path of one isolate. A copy younger than SNAPSHOT_MAX_AGE_MS (soft) is served
 * as is. Older, it is still served while a refresh runs after the answer (`waitUntil`), so no
 * request waits on the hub, which may be a continent away; only a copy older than
 * SNAPSHOT_HARD_MAX_AGE_MS makes a request wait. A refresh first reads what the hub last said in
 * this location (LocationFreshness, the Cache API), asks the hub only when that is older than
 * SNAPSHOT_LOCATION_TTL_MS, and downloads the snapshot only when the version moved. The copy
 * never steps back; KV is the fallback when the hub cannot be reached; D1 rebuilds a snapshot
 * nobody published yet. A class, so tests run several simulated isolates with their own clocks.
 */
export class EdgeSnapshotCache {
  readonly #copies = new Map<string, CachedSnapshot>();
  readonly #inflight = new Map<string, { pending: Promise<CachedSnapshot>; background: boolean }>();
  readonly #now: () => number;
  readonly #freshness: LocationFreshness;
  readonly #hubFor: (env: Env, environment: string) => Hub;

  constructor(options: EdgeCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#freshness = options.freshness ?? new CacheApiFreshness();
    this.#hubFor = options.hubFor ?? ((env, environment) => env.HUB.getByName(environment));
  }

  async read(env: Env, environment: string, deferrer?: Deferrer): Promise<CachedSnapshot> {
    const cached = this.#copies.get(environment);
    const age = cached ? this.#now() - cached.checkedAt : Number.POSITIVE_INFINITY;
    if (cached && age < maxAgeMs(env)) return cached;
    if (cached && deferrer && age < hardMaxAgeMs(env)) {
      deferrer.waitUntil(this.#refresh(env, environment, true).catch(() => undefined));
      return cached;
    }
    const joined = this.#inflight.get(environment)?.background === true;
    const fresh = await this.#refresh(env, environment, false);
    // A background refresh it joined may have left the copy to another isolate's hub call (lease).
    if (joined && this.#now() - fresh.checkedAt >= hardMaxAgeMs(env)) return this.#revalidate(env, environment, false);
    return fresh;
  }

  /** One refresh per environment at a time: concurrent requests share it. */
  #refresh(env: Env, environment: string, background: boolean): Promise<CachedSnapshot> {
    const running = this.#inflight.get(environment);
    if (running) return running.pending;
    const pending = this.#revalidate(env, environment, background).finally(() => this.#inflight.delete(environment));
    this.#inflight.set(environment, { pending, background });
    return pending;
  }

  async #revalidate(env: Env, environment: string, background: boolean): Promise<CachedSnapshot> {
    const cached = this.#copies.get(environment);
    const ttl = locationTtlMs(env);
    const shared = ttl > 0 ? await this.#freshness.read(environment).catch(() => undefined) : undefined;
    if (shared && this.#now() - shared.at < ttl) {
      if (cached && shared.version === cached.version) {
        cached.checkedAt = this.#now();
        return cached;
      }
      // The version moved (or this isolate is new): another isolate here may have fetched it already.
      if (!cached || shared.version > cached.version) {
        const copy = await this.#freshness.readSnapshot(environment, shared.version).catch(() => undefined);
        if (copy && copy.etag === shared.etag) return this.remember(environment, copy.version, copy.etag, copy.json);
      }
    }
    if (background && cached && shared) {
      // The record expired for every isolate here at once: the first to notice claims the hub call
      // for REFRESH_LEASE_MS and the others keep serving their copies (no trust is extended: their
      // copies stay as old as they are, and a request past the hard age asks the hub itself).
      const now = this.#now();
      if (shared.leaseUntil !== undefined && now < shared.leaseUntil) return cached;
      await this.#freshness.write(environment, { ...shared, leaseUntil: now + REFRESH_LEASE_MS }, ttl).catch(() => undefined);
    }
    const hub = this.#hubFor(env, environment);
    try {
      const asked = this.#now();
      const current = await hub.current(cached?.version);
      if (current && ttl > 0) {
        const head: HubHead = { version: current.version, etag: current.etag, at: asked };
        await this.#freshness.write(environment, head, ttl).catch(() => undefined);
        if (current.snapshot) {
          const copy = { version: current.version, etag: current.etag, json: current.snapshot };
          await this.#freshness.writeSnapshot(environment, copy).catch(() => undefined);
        }
      }
      if (current && cached && current.version === cached.version) {
        cached.checkedAt = this.#now();
        return cached;
      }
      if (cached && (!current || current.version < cached.version)) {
        // This isolate holds a committed version the hub lacks (its publish failed): never step
        // back, and hand the hub the newer copy so every other isolate converges on it too.
        cached.checkedAt = this.#now();
        void hub
          .publish({ version: cached.version, snapshot: cached.json, etag: cached.etag, changed: [] }, { waitForKv: false })
          .catch(() => undefined);
        return cached;
      }
      if (current?.snapshot) return this.remember(environment, current.version, current.etag, current.snapshot);
    } catch (e) {
      console.warn(`hub for "${environment}" unreachable, falling back to KV`, e);
      const kv = await env.SNAPSHOTS.getWithMetadata<{ version: number; etag: string }>(kvKey(environment));
      if (kv.value && kv.metadata && (!cached || kv.metadata.version > cached.version)) {
        return this.remember(environment, kv.metadata.version, kv.metadata.etag, kv.value);
      }
      if (cached) return cached;
    }
    // Nothing published yet (fresh database, or the hub's storage was reset): build from D1 and seed the hub.
    const snapshot: Snapshot = await buildSnapshot(db(env), environment);
    const json = JSON.stringify(snapshot);
    const etag = etagOf(snapshot);
    await hub.publish({ version: snapshot.version, snapshot: json, etag, changed: [] }, { waitForKv: false }).catch(() => undefined);
    return this.remember(environment, snapshot.version, etag, json);
  }

  remember(environment: string, version: number, etag: string, json: string): CachedSnapshot {
    // Concurrent writes rebuild in any order: an isolate never steps back to an older version.
    const newer = this.#copies.get(environment);
    if (newer && newer.version > version) return newer;
    let compiled: FlagSnapshot | undefined;
    const clock = this.#now;
    const entry: CachedSnapshot = {
      environment,
      version,
      etag,
      json,
      checkedAt: this.#now(),
      get compiled() {
        compiled ??= compileSnapshot(JSON.parse(json) as Snapshot);
        // A switch carried in the snapshot applies at its instant in every isolate, the control
        // plane reachable or not (docs/change-requests.md); without one this is one comparison.
        if (compiled.nextSwitchAt !== undefined) compiled = compiled.at(clock());
        return compiled;
      },
    };
    this.#copies.set(environment, entry);
    return entry;
  }

  /**
   * After this isolate published `version` to the hub: its whole location may serve it at once.
   * Only after the hub has it, so the location record never claims a version the hub lacks.
   */
  async announce(env: Env, environment: string, version: number, etag: string, json: string): Promise<void> {
    const ttl = locationTtlMs(env);
    if (ttl <= 0) return;
    await this.#freshness.writeSnapshot(environment, { version, etag, json }).catch(() => undefined);
    await this.#freshness.write(environment, { version, etag, at: this.#now() }, ttl).catch(() => undefined);
  }

  forget(): void {
    this.#copies.clear();
  }
}

/** This isolate's cache: module state lives as long as the isolate. */
const isolate = new EdgeSnapshotCache();

/**
 * The snapshot for a request. Pass the request's ExecutionContext (`c.executionCtx`) so a stale
 * copy is refreshed after the answer; without one (no request to outlive) a stale copy is refreshed first.
 */
export function readSnapshot(env: Env, environment: string, deferrer?: Deferrer): Promise<CachedSnapshot> {
  return isolate.read(env, environment, deferrer);
}

/** The writer's isolate serves its write at once (publishEnvironment). */
export function remember(environment: string, version: number, etag: string, json: string): CachedSnapshot {
  return isolate.remember(environment, version, etag, json);
}

/** The writer's location learns the version the hub just accepted (publish.ts `deliver`). */
export function announce(env: Env, environment: string, version: number, etag: string, json: string): Promise<void> {
  return isolate.announce(env, environment, version, etag, json);
}

/** Forgets every cached snapshot (tests; a write in this isolate also refreshes its own copy). */
export function forgetSnapshots(): void {
  isolate.forget();
}
