// The hub's replay ring: metadata of the last RING_SIZE publishes, one storage key each, so
// a reconnecting browser can be told which flags changed while it was away and the admin
// app can show "reached N clients in X ms". One key per event keeps an ack an O(1) write.

/** How many publishes stay replayable; older gaps make a resumed client refetch everything. */
export const RING_SIZE = 64;

/** Past this many keys a change is recorded as "unknown keys" to keep entries small. */
const MAX_CHANGED_KEYS = 500;

const PREFIX = 'event:';

interface EventEntry {
  version: number;
  publishedAt: number;
  sent: number;
  /** `undefined` when the change touched too many flags to list. */
  changed?: string[];
  acked: number;
  lastAckMs: number | null;
}

/** One publish as the admin app sees it. */
export interface RecentEvent {
  version: number;
  publishedAt: number;
  sent: number;
  acked: number;
  /** Milliseconds from publish to the latest ack; null until someone acks. */
  lastAckMs: number | null;
}

// Zero-padded so the storage order of keys is the numeric order of versions.
const keyOf = (version: number) => PREFIX + String(version).padStart(16, '0');

export class EventLog {
  readonly #kv: SyncKvStorage;
  /** Oldest first; loaded on first use because most wake-ups (acks) never need all of it. */
  #entries: Map<number, EventEntry> | undefined;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** `changed` undefined: the hub cannot tell (a gap in versions), so resumers refetch everything. */
  append(version: number, publishedAt: number, sent: number, changed: readonly string[] | undefined): void {
    const entries = this.#load();
    const entry: EventEntry = { version, publishedAt, sent, acked: 0, lastAckMs: null };
    if (changed && changed.length <= MAX_CHANGED_KEYS) entry.changed = [...changed];
    entries.set(version, entry);
    this.#kv.put(keyOf(version), entry);
    for (const old of entries.keys()) {
      if (entries.size <= RING_SIZE) break;
      entries.delete(old);
      this.#kv.delete(keyOf(old));
    }
  }

  /** Adds the streams a publish reached elsewhere (its shards) to the entry it appended. */
  addSent(version: number, sent: number): void {
    const entry = this.#load().get(version);
    if (!entry || sent === 0) return;
    entry.sent += sent;
    this.#kv.put(keyOf(version), entry);
  }

  /** Counts one ack; false when the version already left the ring (or never existed). */
  ack(version: number, at: number): boolean {
    const entry = this.#entries?.get(version) ?? this.#kv.get<EventEntry>(keyOf(version));
    if (!entry) return false;
    entry.acked += 1;
    entry.lastAckMs = Math.max(0, at - entry.publishedAt);
    this.#kv.put(keyOf(version), entry);
    return true;
  }

  /** Newest first. */
  recent(limit: number): RecentEvent[] {
    const newest = [...this.#load().values()].reverse().slice(0, limit);
    return newest.map(({ version, publishedAt, sent, acked, lastAckMs }) => ({ version, publishedAt, sent, acked, lastAckMs }));
  }

  /**
   * Keys changed after `version`, or `undefined` when the ring cannot say: the client's
   * last id must still be in the ring for the union of later changes to be complete.
   */
  changedSince(version: number): string[] | undefined {
    const entries = this.#load();
    if (!entries.has(version)) return undefined;
    const keys = new Set<string>();
    for (const entry of entries.values()) {
      if (entry.version <= version) continue;
      if (!entry.changed) return undefined;
      for (const key of entry.changed) keys.add(key);
    }
    return [...keys];
  }

  #load(): Map<number, EventEntry> {
    if (this.#entries) return this.#entries;
    const newestFirst = [...this.#kv.list<EventEntry>({ prefix: PREFIX, reverse: true, limit: RING_SIZE })];
    this.#entries = new Map(newestFirst.reverse().map(([, entry]) => [entry.version, entry]));
    return this.#entries;
  }
}
