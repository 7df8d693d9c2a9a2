// The hub's durable copy of the latest snapshot. A SQLite-backed Durable Object refuses a key +
// value over 2 MB (SQLITE_TOOBIG in production; the local runtime allows far more), and one
// snapshot stored whole under one key wedged a hub: every later publish threw, so a kill switch
// stored in D1 was never served. The snapshot is therefore split into chunks small enough for
// any content, written with the head in the same implicit transaction.

/** Characters per chunk: stored as UTF-16 at worst, 512 Ki characters are at most 1 MiB. */
export const CHUNK_CHARS = 512 * 1024;

/**
 * The largest snapshot the hub accepts (characters of its JSON). Its copy in KV is capped at
 * 25 MiB (developers.cloudflare.com/kv/platform/limits/) and a WebSocket message at 32 MiB;
 * writes are limited to 1 MB long before this (snapshot/snapshot-limits.ts), so only an
 * environment stored before that limit can reach it, and it is refused with a clear error.
 */
export const HUB_MAX_SNAPSHOT_CHARS = 24 * 1024 * 1024;

const HEAD_KEY = 'head';
/** Where a snapshot lived before it was chunked: still read, so an upgraded hub keeps serving. */
const LEGACY_SNAPSHOT_KEY = 'snapshot';
const chunkKey = (i: number) => `snapshot.${i}`;

export interface Head {
  version: number;
  etag: string;
  /** Absent for a head written before chunking: the snapshot is under LEGACY_SNAPSHOT_KEY. */
  chunks?: number;
}

export class SnapshotTooLargeError extends Error {
  constructor(chars: number) {
    super(`snapshot of ${chars} characters is over the hub's ${HUB_MAX_SNAPSHOT_CHARS} (KV's 25 MiB value limit)`);
  }
}

export class SnapshotStore {
  readonly #kv: SyncKvStorage;
  /** `null` once storage said nothing was published; `undefined` until read. */
  #head: Head | null | undefined;
  #snapshot: string | undefined;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  head(): Head | null {
    if (this.#head === undefined) this.#head = this.#kv.get<Head>(HEAD_KEY) ?? null;
    return this.#head;
  }

  // Read lazily: a wake-up for an ack should not load a snapshot of a thousand flags.
  snapshot(): string {
    if (this.#snapshot !== undefined) return this.#snapshot;
    const head = this.head();
    if (!head) return '{}';
    if (head.chunks === undefined) this.#snapshot = this.#kv.get<string>(LEGACY_SNAPSHOT_KEY) ?? '{}';
    else {
      const parts: string[] = [];
      for (let i = 0; i < head.chunks; i++) parts.push(this.#kv.get<string>(chunkKey(i)) ?? '');
      this.#snapshot = parts.join('');
    }
    return this.#snapshot;
  }

  /** Throws SnapshotTooLargeError, storing nothing, past HUB_MAX_SNAPSHOT_CHARS. */
  put(version: number, etag: string, snapshot: string): void {
    if (snapshot.length > HUB_MAX_SNAPSHOT_CHARS) throw new SnapshotTooLargeError(snapshot.length);
    const chunks = Math.max(1, Math.ceil(snapshot.length / CHUNK_CHARS));
    const before = this.head();
    // Synchronous puts in one event commit together: no reader sees a head without its chunks.
    for (let i = 0; i < chunks; i++) this.#kv.put(chunkKey(i), snapshot.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS));
    for (let i = chunks; i < (before?.chunks ?? 0); i++) this.#kv.delete(chunkKey(i));
    if (before && before.chunks === undefined) this.#kv.delete(LEGACY_SNAPSHOT_KEY);
    this.#kv.put(HEAD_KEY, { version, etag, chunks });
    this.#head = { version, etag, chunks };
    this.#snapshot = snapshot;
  }
}
