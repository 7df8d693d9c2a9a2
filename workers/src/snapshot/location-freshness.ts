/**
 * What the hub last said about an environment, shared by every isolate of one location. The
 * Cache API is per data center, so storing the hub's latest {version, etag} under a synthetic
 * URL for SNAPSHOT_LOCATION_TTL_MS lets the isolates of a location ask the hub about once per TTL
 * between them instead of once per isolate per max-age: hub load grows with locations, not isolates.
 *
 * On `*.workers.dev` and behind Cloudflare Access the Cache API does nothing (put is dropped,
 * match misses): every read then misses and each isolate asks the hub itself, once per max-age,
 * off the request path. Correct, only more hub calls — SDK routes belong on a custom hostname.
 */
export interface HubHead {
  version: number;
  etag: string;
  /** When the hub said so (epoch ms, the reader's clock): a record is trusted for the TTL after it. */
  at: number;
  /** An isolate of this location is asking the hub until then: others need not (edge-cache.ts). */
  leaseUntil?: number;
}

/** A snapshot as the hub served it: versions are immutable, so a copy by version never goes stale. */
export interface SharedSnapshot {
  version: number;
  etag: string;
  json: string;
}

export interface LocationFreshness {
  read(environment: string): Promise<HubHead | undefined>;
  write(environment: string, head: HubHead, ttlMs: number): Promise<void>;
  /** The snapshot of `version`, if an isolate of this location fetched it: a version move costs the hub one download per location. */
  readSnapshot(environment: string, version: number): Promise<SharedSnapshot | undefined>;
  writeSnapshot(environment: string, snapshot: SharedSnapshot): Promise<void>;
}

/** Never a host anyone can reach: the key exists only inside this location's cache. */
const headUrl = (environment: string) => `https://edgeflags-freshness.internal/head/${encodeURIComponent(environment)}`;
const snapshotUrl = (environment: string, version: number) =>
  `https://edgeflags-freshness.internal/snapshot/${encodeURIComponent(environment)}/${version}`;
/** Seconds a version's snapshot is kept: long enough for every isolate of a location to pick it up. */
const SNAPSHOT_KEEP_SECONDS = 300;

/** The Cache API of this location (caches.default), or a named cache (tests simulate locations with them). */
export class CacheApiFreshness implements LocationFreshness {
  readonly #cache: () => Cache | undefined;

  constructor(cache?: Cache) {
    // caches.default is looked up per call: it does not exist outside a request context in some hosts.
    this.#cache = () => cache ?? (typeof caches === 'undefined' ? undefined : caches.default);
  }

  async read(environment: string): Promise<HubHead | undefined> {
    const res = await this.#cache()?.match(headUrl(environment));
    if (!res) return undefined;
    const head = (await res.json()) as Partial<HubHead>;
    return typeof head.version === 'number' && typeof head.etag === 'string' && typeof head.at === 'number' ? (head as HubHead) : undefined;
  }

  async write(environment: string, head: HubHead, ttlMs: number): Promise<void> {
    // The record's own `at` decides freshness (so simulated clocks work); the cache only keeps it around.
    const maxAge = Math.max(60, Math.ceil(ttlMs / 1000));
    await this.#cache()?.put(headUrl(environment), Response.json(head, { headers: { 'Cache-Control': `public, max-age=${maxAge}` } }));
  }

  async readSnapshot(environment: string, version: number): Promise<SharedSnapshot | undefined> {
    const res = await this.#cache()?.match(snapshotUrl(environment, version));
    const etag = res?.headers.get('x-edgeflags-etag');
    return res && etag ? { version, etag, json: await res.text() } : undefined;
  }

  async writeSnapshot(environment: string, snapshot: SharedSnapshot): Promise<void> {
    await this.#cache()?.put(
      snapshotUrl(environment, snapshot.version),
      new Response(snapshot.json, {
        headers: {
          'Content-Type': 'application/json',
          'Cache-Control': `public, max-age=${SNAPSHOT_KEEP_SECONDS}`,
          'X-Edgeflags-Etag': snapshot.etag,
        },
      }),
    );
  }
}

/** What a cache on `*.workers.dev` or behind Access amounts to: nothing kept, every read a miss. */
export class NoFreshness implements LocationFreshness {
  async read(): Promise<undefined> {
    return undefined;
  }
  async write(): Promise<void> {}
  async readSnapshot(): Promise<undefined> {
    return undefined;
  }
  async writeSnapshot(): Promise<void> {}
}
