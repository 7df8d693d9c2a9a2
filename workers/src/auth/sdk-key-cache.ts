// Isolate memory of SDK key lookups, by secret hash. Valid keys and unknown ones live apart:
// anyone can invent well-formed keys by the million, so unknown keys get a small bounded map
// of their own and can never push a valid key out. Valid keys can only be added by someone
// holding one, so their map is bounded for memory, not for defence.

/** A lookup's answer as cached: the key, or null for "no such (live) key". */
export interface CachedKey<K> {
  key: K | null;
  at: number;
}

export interface SdkKeyCacheLimits {
  /** Valid keys remembered; least recently used leaves first. */
  maxKeys: number;
  /** Unknown keys remembered; oldest leaves first, and only unknown keys leave. */
  maxUnknown: number;
  /** A valid key's entry is re-read after this long (the revocation bound for other isolates). */
  keyTtlMs: number;
  /** Past this age a valid key is still served, and re-read off the request path. */
  revalidateAfterMs: number;
  /** An unknown key's entry is re-read after this long. */
  unknownTtlMs: number;
}

export class SdkKeyCache<K> {
  readonly #keys = new Map<string, CachedKey<K>>();
  readonly #unknown = new Map<string, number>();
  /** Concurrent lookups of one hash share one read. */
  readonly #pending = new Map<string, Promise<K | null>>();
  readonly #limits: SdkKeyCacheLimits;
  /** Reads through to the loader (D1), for tests and metrics. */
  loads = 0;

  constructor(limits: SdkKeyCacheLimits) {
    this.#limits = limits;
  }

  /**
   * The key for `hash`, from memory when fresh enough. `defer` receives a background re-read
   * (the caller hands it to `waitUntil`) when a valid entry is old but still within its TTL.
   */
  async get(hash: string, defer: (work: Promise<unknown>) => void, now: number, load: () => Promise<K | null>): Promise<K | null> {
    const hit = this.#keys.get(hash);
    if (hit && now - hit.at < this.#limits.keyTtlMs) {
      // Re-inserted so the map's order is least recently used first.
      this.#keys.delete(hash);
      this.#keys.set(hash, hit);
      if (now - hit.at >= this.#limits.revalidateAfterMs && !this.#pending.has(hash)) defer(this.#read(hash, load, now).catch(() => {}));
      return hit.key;
    }
    const missAt = this.#unknown.get(hash);
    if (missAt !== undefined && now - missAt < this.#limits.unknownTtlMs) return null;
    return this.#pending.get(hash) ?? this.#read(hash, load, now);
  }

  /** Cached valid-key entry for `hash`, if any (tests and docs measure the bound with it). */
  peek(hash: string): CachedKey<K> | undefined {
    return this.#keys.get(hash);
  }

  get size(): { keys: number; unknown: number } {
    return { keys: this.#keys.size, unknown: this.#unknown.size };
  }

  clear(): void {
    this.#keys.clear();
    this.#unknown.clear();
  }

  /** Stamped with the time the read started, so an entry never outlives its TTL by a slow read. */
  #read(hash: string, load: () => Promise<K | null>, startedAt: number): Promise<K | null> {
    this.loads++;
    const read = load()
      .then((key) => {
        this.#remember(hash, key, startedAt);
        return key;
      })
      .finally(() => this.#pending.delete(hash));
    this.#pending.set(hash, read);
    return read;
  }

  #remember(hash: string, key: K | null, at: number): void {
    if (key === null) {
      this.#keys.delete(hash);
      this.#unknown.delete(hash);
      this.#unknown.set(hash, at);
      evictOldest(this.#unknown, this.#limits.maxUnknown);
      return;
    }
    this.#unknown.delete(hash);
    this.#keys.delete(hash);
    this.#keys.set(hash, { key, at });
    evictOldest(this.#keys, this.#limits.maxKeys);
  }
}

/** Maps iterate in insertion order, so the first keys are the oldest (or least recently used). */
function evictOldest(map: Map<string, unknown>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
