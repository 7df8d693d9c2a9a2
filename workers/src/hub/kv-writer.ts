// The hub is the only writer of its environment's KV copy (`snapshot:{env}`), the fallback edge
// reads use when the hub is unreachable. KV answers 429 to more than one write per second to the
// same key in production (developers.cloudflare.com/kv/platform/limits/; the local runtime does
// not enforce it), so writes are coalesced: at most one per KV_WRITE_INTERVAL_MS, always of the
// latest head, shared by every publish waiting on it. A failed write is retried by the hub's
// alarm with backoff; each success is confirmed to D1 (delivered_version).

/** KV's documented rate for writes to one key. */
export const KV_WRITE_INTERVAL_MS = 1000;
/** Retries back off 1 s, 2 s, 4 s … up to this, kept under the SSE heartbeat (25 s) it shares the alarm with. */
export const KV_RETRY_MAX_MS = 20_000;

const STATE_KEY = 'kv-state';

interface KvState {
  /** Highest version confirmed written to KV. */
  writtenVersion: number;
  /** Last attempt, successful or not: the 1 write/s budget counts both. */
  lastAttemptAt: number;
  failures: number;
  error: string | null;
}

export interface LatestSnapshot {
  version: number;
  etag: string;
  snapshot: string;
}

export interface KvWriterDeps {
  storage: DurableObjectStorage;
  kv: KVNamespace;
  key: () => string;
  latest: () => LatestSnapshot | null;
  /** Called after each successful write with the version now in KV. */
  confirmed: (version: number) => Promise<void>;
  /** Called after each failed write, so the app can show why delivery is pending. */
  failed: (error: string) => Promise<void>;
}

export type KvOutcome = { written: true } | { written: false; error: string };

/**
 * What a publish can say about the KV copy: written; scheduled (a write went out less than a
 * second ago and did not fail, so the coalesced one follows by the alarm); or pending (the last
 * attempt failed and the alarm retries with backoff).
 */
export interface KvStatus {
  kv: 'written' | 'scheduled' | 'pending';
  /** Why KV is behind, when `pending`. */
  error?: string;
}

export class KvWriter {
  readonly #deps: KvWriterDeps;
  #state: KvState;
  /** The one write in progress (after its wait); every caller behind the same head shares it. */
  #flight: Promise<void> | undefined;

  constructor(deps: KvWriterDeps) {
    this.#deps = deps;
    this.#state = deps.storage.kv.get<KvState>(STATE_KEY) ?? { writtenVersion: 0, lastAttemptAt: 0, failures: 0, error: null };
  }

  get writtenVersion(): number {
    return this.#state.writtenVersion;
  }

  /**
   * Brings KV to `version` as far as the rate allows without waiting: writes now when a second
   * has passed since the last attempt, else leaves it to the alarm (see `nextAttemptAt`).
   */
  async sync(version: number, budgetMs: number): Promise<KvStatus> {
    if (this.#state.writtenVersion >= version) return { kv: 'written' };
    const now = Date.now();
    if (now < this.#state.lastAttemptAt + KV_WRITE_INTERVAL_MS && this.#flight === undefined) {
      return this.#state.error === null ? { kv: 'scheduled' } : { kv: 'pending', error: this.#state.error };
    }
    const late: KvOutcome = { written: false, error: `KV write still running after ${budgetMs} ms` };
    const outcome = await withBudget(this.ensure(version), budgetMs, () => late);
    return outcome.written ? { kv: 'written' } : { kv: 'pending', error: outcome.error };
  }

  /** Writes (or waits for the coalesced write of) `version` or newer; never throws. */
  async ensure(version: number): Promise<KvOutcome> {
    // Two rounds at most: a flight joined after it read the head writes an older version, and
    // the next one (a second later) writes ours.
    for (let round = 0; round < 2 && this.#state.writtenVersion < version; round++) {
      const attemptBefore = this.#state.lastAttemptAt;
      this.#flight ??= this.#writeLatest().finally(() => {
        this.#flight = undefined;
      });
      await this.#flight;
      // An attempt made after we joined saw our head; still behind means it failed. Answer now:
      // the alarm retries, the caller reports "pending".
      if (this.#state.writtenVersion < version && this.#state.lastAttemptAt !== attemptBefore) break;
    }
    if (this.#state.writtenVersion >= version) return { written: true };
    return { written: false, error: this.#state.error ?? `KV holds v${this.#state.writtenVersion}, not v${version} yet` };
  }

  /**
   * When the alarm should next write, or null when KV is current. Durable: an evicted hub finds
   * its unfinished write here on the next alarm.
   */
  nextAttemptAt(): number | null {
    const head = this.#deps.latest();
    if (!head || head.version <= this.#state.writtenVersion) return null;
    const spacing = this.#state.lastAttemptAt + KV_WRITE_INTERVAL_MS;
    if (this.#state.failures === 0) return spacing;
    return Math.max(spacing, this.#state.lastAttemptAt + Math.min(KV_RETRY_MAX_MS, 1000 * 2 ** (this.#state.failures - 1)));
  }

  /**
   * The alarm's part: write if behind. The alarm was set for the backoff; an earlier one (a
   * heartbeat, a test) may retry sooner, but never within KV's one write a second.
   */
  async onAlarm(now = Date.now()): Promise<void> {
    const version = this.#deps.latest()?.version ?? 0;
    if (version > this.#state.writtenVersion && now >= this.#state.lastAttemptAt + KV_WRITE_INTERVAL_MS) await this.ensure(version);
  }

  async #writeLatest(): Promise<void> {
    const wait = this.#state.lastAttemptAt + KV_WRITE_INTERVAL_MS - Date.now();
    if (wait > 0) await scheduler.wait(wait);
    const latest = this.#deps.latest();
    if (!latest || latest.version <= this.#state.writtenVersion) return;
    this.#save({ ...this.#state, lastAttemptAt: Date.now() });
    try {
      await this.#deps.kv.put(this.#deps.key(), latest.snapshot, { metadata: { version: latest.version, etag: latest.etag } });
    } catch (e) {
      const error = `KV write failed: ${message(e)}`;
      this.#save({ ...this.#state, failures: this.#state.failures + 1, error });
      await this.#deps.failed(error).catch((d1) => console.warn('recording a pending delivery in D1 failed', d1));
      return;
    }
    this.#save({ ...this.#state, writtenVersion: Math.max(this.#state.writtenVersion, latest.version), failures: 0, error: null });
    try {
      await this.#deps.confirmed(latest.version);
    } catch (e) {
      // D1 can be down while KV is fine: the cron reconciler confirms again later.
      console.warn(`confirming delivery of v${latest.version} to D1 failed`, e);
    }
  }

  #save(state: KvState): void {
    this.#state = state;
    this.#deps.storage.kv.put(STATE_KEY, state);
  }
}

export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * `promise`, or what `onLate` answers (or throws) once `ms` pass. The timer is cancelled when
 * the promise settles first: a pending timer would keep a hub from hibernating.
 */
export async function withBudget<T>(promise: Promise<T>, ms: number, onLate: () => T): Promise<T> {
  const abort = new AbortController();
  const late = scheduler.wait(ms, { signal: abort.signal }).then(onLate, () => new Promise<never>(() => {}));
  try {
    return await Promise.race([promise, late]);
  } finally {
    abort.abort();
  }
}
