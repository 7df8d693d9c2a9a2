// The root hub's side of sharding (shard-routing.ts): how many shards the environment has, the
// publish to each of them, and the counts and revocations that must span all of them. Kept
// out of environment-hub.ts so the single-hub path reads as it did.

import type { EnvironmentHub, HubStats } from './environment-hub.ts';
import type { PublishEvent } from './messages.ts';
import { grownShardCount, type ShardSettings } from './shard-routing.ts';

const COUNT_KEY = 'shards:count';
/** Shards whose last delivery failed: the alarm delivers the head to them again. */
const BEHIND_KEY = 'shards:behind';

type ShardStub = Pick<DurableObjectStub<EnvironmentHub>, 'deliver' | 'stats' | 'closeKey'>;

export class ShardFanout {
  readonly #kv: SyncKvStorage;
  readonly #settings: ShardSettings;
  readonly #stub: (index: number) => ShardStub;
  readonly #environmentCap: number;

  constructor(kv: SyncKvStorage, settings: ShardSettings, environmentCap: number, stub: (index: number) => ShardStub) {
    this.#kv = kv;
    this.#settings = settings;
    this.#environmentCap = environmentCap;
    this.#stub = stub;
  }

  /** N: the edge hashes new streams over shards 0..N-1 (0 is the root itself). */
  count(): number {
    return Math.max(this.#settings.min, this.#kv.get<number>(COUNT_KEY) ?? 1);
  }

  /** A shard (or the root) holds `load` streams; returns the indexes of shards just added. */
  grow(load: number): number[] {
    const before = this.count();
    const after = grownShardCount(before, load, this.#settings, this.#environmentCap);
    if (after === before) return [];
    this.#kv.put(COUNT_KEY, after);
    return Array.from({ length: after - before }, (_, i) => before + i);
  }

  /** Streams the shards past the root reached (all of them, or `only`); one that fails is retried by the alarm. */
  async deliver(event: PublishEvent, only: readonly number[] = this.#others()): Promise<number> {
    if (only.length === 0) return 0;
    const results = await Promise.allSettled(only.map((i) => this.#stub(i).deliver(event)));
    const behind = new Set(this.behind());
    let sent = 0;
    results.forEach((result, n) => {
      const index = only[n]!;
      if (result.status === 'fulfilled') {
        sent += result.value;
        behind.delete(index);
      } else {
        console.warn(`delivery to shard ${index} failed`, result.reason);
        behind.add(index);
      }
    });
    if (behind.size > 0 || this.behind().length > 0) this.#kv.put(BEHIND_KEY, [...behind]);
    return sent;
  }

  behind(): number[] {
    return this.#kv.get<number[]>(BEHIND_KEY) ?? [];
  }

  /** Every shard's stats (a shard that cannot answer is left out rather than failing the page). */
  async stats(): Promise<HubStats[]> {
    const results = await Promise.allSettled(this.#others().map((i) => this.#stub(i).stats()));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as HubStats] : []));
  }

  /** Ends (or schedules the end of) a key's streams in every shard; throws if a shard could not be told. */
  async closeKey(keyId: string, at: number): Promise<number> {
    const results = await Promise.all(this.#others().map((i) => this.#stub(i).closeKey(keyId, at)));
    return results.reduce((sum, r) => sum + r.closed, 0);
  }

  #others(): number[] {
    return Array.from({ length: this.count() - 1 }, (_, i) => i + 1);
  }
}

/** The root's stats with every shard's added: connections summed, acks summed per version. */
export function mergeStats(root: HubStats, shards: readonly HubStats[]): HubStats {
  const connections = { ...root.connections };
  for (const shard of shards)
    for (const kind of Object.keys(connections) as Array<keyof typeof connections>) connections[kind] += shard.connections[kind];
  const recent = root.recent.map((event) => {
    let { acked, lastAckMs } = event;
    for (const shard of shards) {
      const same = shard.recent.find((e) => e.version === event.version);
      if (!same) continue;
      acked += same.acked;
      if (same.lastAckMs !== null) lastAckMs = Math.max(lastAckMs ?? 0, same.lastAckMs + (same.publishedAt - event.publishedAt));
    }
    return { ...event, acked, lastAckMs };
  });
  return { version: root.version, connections, recent };
}
