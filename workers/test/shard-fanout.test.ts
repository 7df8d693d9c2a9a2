// The root's side of subscriber shards (hub/shard-fanout.ts) with stand-in shards: a delivery
// that fails is remembered and retried until the shard takes it (convergence after a failed
// publish, as issue 8 requires of the single hub), and stats add up across shards.
import { describe, expect, it } from 'vitest';
import type { HubStats } from '../src/hub/environment-hub.ts';
import type { PublishEvent } from '../src/hub/messages.ts';
import { mergeStats, ShardFanout } from '../src/hub/shard-fanout.ts';

/** The synchronous KV of a Durable Object, in memory. */
function memoryKv(): SyncKvStorage {
  const map = new Map<string, unknown>();
  return {
    get: (key: string) => map.get(key),
    put: (key: string, value: unknown) => void map.set(key, value),
    delete: (key: string) => map.delete(key),
  } as unknown as SyncKvStorage;
}

const event: PublishEvent = { version: 7, etag: '"e.7"', snapshot: '{}', changed: ['a'] };
const settings = { capacity: 10, min: 4, max: 16 };

function shards(failing: Set<number>) {
  const delivered: Array<[number, number]> = [];
  const stub = (index: number) =>
    ({
      deliver: async (e: PublishEvent) => {
        if (failing.has(index)) throw new Error(`shard ${index} unreachable`);
        delivered.push([index, e.version]);
        return 100;
      },
    }) as never;
  return { stub, delivered };
}

describe('ShardFanout', () => {
  it('remembers a shard whose delivery failed and delivers to it again until it takes it', async () => {
    const failing = new Set([2]);
    const { stub, delivered } = shards(failing);
    const fanout = new ShardFanout(memoryKv(), settings, 1_000, stub);
    expect(await fanout.deliver(event)).toBe(200); // shards 1 and 3 took it, 100 streams each
    expect(fanout.behind()).toEqual([2]);
    expect(await fanout.deliver(event, fanout.behind())).toBe(0); // still down
    expect(fanout.behind()).toEqual([2]);
    failing.clear();
    expect(await fanout.deliver(event, fanout.behind())).toBe(100);
    expect(fanout.behind()).toEqual([]);
    expect(delivered.filter(([i]) => i === 2)).toEqual([[2, 7]]);
  });

  it('doubles N at the capacity while the environment cap can fill the doubled shards, never past it', () => {
    const fanout = new ShardFanout(memoryKv(), settings, 100, shards(new Set()).stub);
    expect(fanout.count()).toBe(4);
    expect(fanout.grow(9)).toEqual([]);
    expect(fanout.grow(10)).toEqual([4, 5, 6, 7]);
    expect(fanout.count()).toBe(8);
    expect(fanout.grow(10)).toEqual([]); // 16 × 10 > 100
    expect(fanout.count()).toBe(8);
  });
});

describe('mergeStats', () => {
  it("adds shards' connections, and their acks to the root's events by version", () => {
    const root: HubStats = {
      version: 7,
      connections: { server: 1, client: 2, ofrep: 0, admin: 1 },
      recent: [{ version: 7, publishedAt: 1_000, sent: 9, acked: 1, lastAckMs: 20 }],
    };
    const shard = (acked: number, lastAckMs: number | null, publishedAt: number): HubStats => ({
      version: 7,
      connections: { server: 2, client: 1, ofrep: 1, admin: 0 },
      recent: [{ version: 7, publishedAt, sent: 4, acked, lastAckMs }],
    });
    const merged = mergeStats(root, [shard(3, 50, 1_010), shard(0, null, 1_005)]);
    expect(merged.connections).toEqual({ server: 5, client: 4, ofrep: 2, admin: 1 });
    // The root's `sent` already counts every shard; a shard's last ack is timed from the root's publish.
    expect(merged.recent).toEqual([{ version: 7, publishedAt: 1_000, sent: 9, acked: 4, lastAckMs: 60 }]);
  });
});
