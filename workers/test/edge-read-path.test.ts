// Issue 9 §1: the edge read path with simulated clocks, isolates and locations against the real
// EnvironmentHub. Each simulated isolate is an EdgeSnapshotCache; each location a named Cache
// API cache (what caches.default is per data center), or NoFreshness (workers.dev, Access).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../src/env.ts';
import { type Deferrer, EdgeSnapshotCache } from '../src/snapshot/edge-cache.ts';
import { CacheApiFreshness, type LocationFreshness, NoFreshness } from '../src/snapshot/location-freshness.ts';
import { seed } from './seed.ts';

const SOFT = 1000;
const HARD = 3000;
const TTL = 1000;
/** The stated kill-switch bound for stateless reads (docs/scale.md): hard age + location TTL. */
const BOUND = HARD + TTL;
const ENV = 'development';
const edgeEnv = {
  ...(env as Env),
  SNAPSHOT_MAX_AGE_MS: String(SOFT),
  SNAPSHOT_HARD_MAX_AGE_MS: String(HARD),
  SNAPSHOT_LOCATION_TTL_MS: String(TTL),
} as Env;

beforeAll(seed);

/** The real hub, counting `current` calls and optionally slowed down. */
function countingHub(delayMs = 0) {
  const calls = { current: 0 };
  const hubFor = (e: Env, environment: string) => {
    const real = e.HUB.getByName(environment);
    return {
      current: async (since?: number) => {
        calls.current++;
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        return real.current(since);
      },
      publish: (event: Parameters<typeof real.publish>[0], options?: Parameters<typeof real.publish>[1]) => real.publish(event, options),
    };
  };
  return { calls, hubFor };
}

/** A deferrer whose work the simulation awaits before the next request (one at a time). */
function deferrer(): Deferrer & { settle(): Promise<void> } {
  const work: Promise<unknown>[] = [];
  return { waitUntil: (p) => work.push(p), settle: async () => void (await Promise.all(work.splice(0))) };
}

async function publishKillSwitch(): Promise<number> {
  const hub = env.HUB.getByName(ENV);
  const head = await hub.current();
  if (!head?.snapshot) throw new Error('hub has no snapshot');
  const snap = JSON.parse(head.snapshot) as { version: number; flags: { key: string; enabled: boolean }[] };
  const version = head.version + 1;
  const next = { ...snap, version, flags: snap.flags.map((f) => (f.key === 'maintenance-mode' ? { ...f, enabled: !f.enabled } : f)) };
  await hub.publish({ version, snapshot: JSON.stringify(next), etag: `"${ENV}.${version}"`, changed: ['maintenance-mode'] });
  return version;
}

/** Simulates `locations` × `isolates`, every isolate receiving a request every `stepMs` of simulated time. */
async function simulate(options: {
  locations: LocationFreshness[];
  isolates: number;
  seconds: number;
  stepMs: number;
  publishAt?: number;
}) {
  let now = 1_000_000;
  const start = now;
  const hubs = options.locations.map(() => countingHub());
  const fleet = options.locations.flatMap((freshness, l) =>
    Array.from({ length: options.isolates }, (_, i) => ({
      location: l,
      // Isolates start at different moments, as they do in production.
      offset: (i * 37) % options.stepMs,
      cache: new EdgeSnapshotCache({ now: () => now, freshness, hubFor: hubs[l]!.hubFor }),
      sawVersionAt: undefined as number | undefined,
    })),
  );
  let published: { version: number; at: number } | undefined;
  for (let t = 0; t < options.seconds * 1000; t += options.stepMs) {
    if (options.publishAt !== undefined && !published && t >= options.publishAt) {
      published = { version: await publishKillSwitch(), at: start + t };
    }
    for (const isolate of fleet) {
      now = start + t + isolate.offset;
      const d = deferrer();
      const snap = await isolate.cache.read(edgeEnv, ENV, d);
      await d.settle();
      if (published && snap.version >= published.version) isolate.sawVersionAt ??= now;
    }
  }
  return { hubs, fleet, published };
}

describe('edge read path: hub calls grow with locations, not isolates', () => {
  it('asks the hub at most once per location per TTL, whatever the isolate count (Cache API shared per location)', async () => {
    const seconds = 10;
    for (const isolates of [4, 40]) {
      const locations = await Promise.all([0, 1, 2].map((l) => caches.open(`location-${isolates}-${l}`)));
      const { hubs } = await simulate({
        locations: locations.map((c) => new CacheApiFreshness(c)),
        isolates,
        seconds,
        stepMs: 100,
      });
      for (const hub of hubs) {
        // +1: the very first read of each location, before any record exists.
        expect(hub.calls.current).toBeLessThanOrEqual((seconds * 1000) / TTL + 1);
      }
      console.log(`hub calls per location in ${seconds} s, ${isolates} isolates each: ${hubs.map((h) => h.calls.current).join(', ')}`);
    }
  });

  it('without a working Cache API (workers.dev, Access) every isolate still converges, asking at most once per max-age', async () => {
    const seconds = 8;
    const isolates = 5;
    const { hubs, fleet, published } = await simulate({
      locations: [new NoFreshness()],
      isolates,
      seconds,
      stepMs: 100,
      publishAt: 2000,
    });
    expect(hubs[0]!.calls.current).toBeLessThanOrEqual(isolates * ((seconds * 1000) / SOFT + 1));
    for (const isolate of fleet) expect(isolate.sawVersionAt! - published!.at).toBeLessThanOrEqual(HARD);
  });

  it(`a kill switch reaches every isolate of every location within ${BOUND} ms (hard age + location TTL)`, async () => {
    const locations = await Promise.all([0, 1].map((l) => caches.open(`ks-location-${l}`)));
    // Sparse traffic (one request per isolate every 700 ms) is the worst case for serve-stale.
    const { fleet, published } = await simulate({
      locations: locations.map((c) => new CacheApiFreshness(c)),
      isolates: 6,
      seconds: 10,
      stepMs: 700,
      publishAt: 3000,
    });
    const delays = fleet.map((i) => i.sawVersionAt! - published!.at);
    console.log(`kill switch seen after (simulated ms): max ${Math.max(...delays)}, bound ${BOUND}`);
    for (const d of delays) expect(d).toBeLessThanOrEqual(BOUND);
  });
});

describe('edge read path: no herd when a location record expires', () => {
  it('while one isolate asks the hub, the other isolates of its location serve their copies without asking (lease)', async () => {
    let now = 9_000_000;
    const freshness = new CacheApiFreshness(await caches.open('herd-location'));
    let calls = 0;
    let release: () => void = () => {};
    let gated = false;
    const hubFor = (e: Env, environment: string) => {
      const real = e.HUB.getByName(environment);
      return {
        current: async (since?: number) => {
          calls++;
          // The first call of the expired phase hangs until released: a slow, far hub.
          if (gated) {
            gated = false;
            await new Promise<void>((r) => {
              release = r;
            });
          }
          return real.current(since);
        },
        publish: (event: Parameters<typeof real.publish>[0], options?: Parameters<typeof real.publish>[1]) => real.publish(event, options),
      };
    };
    const isolates = Array.from({ length: 10 }, () => new EdgeSnapshotCache({ now: () => now, freshness, hubFor }));
    for (const isolate of isolates) await isolate.read(edgeEnv, ENV, deferrer());
    expect(calls).toBe(1); // the first isolate asked; the others took the location's copy

    now += TTL + 100; // the record and every copy are past their ages, within the hard age
    calls = 0;
    gated = true;
    const first = deferrer();
    await isolates[0]!.read(edgeEnv, ENV, first);
    while (calls === 0) await new Promise((r) => setTimeout(r, 5));
    for (const isolate of isolates.slice(1)) {
      const d = deferrer();
      await isolate.read(edgeEnv, ENV, d);
      await d.settle();
    }
    expect(calls).toBe(1);
    release();
    await first.settle();
    expect(calls).toBe(1);
  });
});

describe('edge read path: no request waits on the hub in the steady state', () => {
  it('serves the copy within the soft age without a hub call, and keeps p50 free of a slow hub (200 ms)', async () => {
    const slow = countingHub(200);
    const cache = new EdgeSnapshotCache({ freshness: new NoFreshness(), hubFor: slow.hubFor });
    const d = deferrer();
    await cache.read(edgeEnv, ENV, d); // cold: the one read that has to wait
    const callsAfterWarm = slow.calls.current;
    const latencies: number[] = [];
    let withinSoftCalls = -1;
    const started = Date.now();
    while (Date.now() - started < 2600) {
      const t0 = performance.now();
      await cache.read(edgeEnv, ENV, d);
      latencies.push(performance.now() - t0);
      if (withinSoftCalls < 0 && Date.now() - started > SOFT - 200) withinSoftCalls = slow.calls.current - callsAfterWarm;
      await new Promise((r) => setTimeout(r, 20));
    }
    await d.settle();
    expect(withinSoftCalls).toBe(0);
    // Past the soft age the hub was asked in the background, yet no request took its 200 ms.
    expect(slow.calls.current).toBeGreaterThan(callsAfterWarm);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted[sorted.length - 1]!;
    console.log(`slow hub (200 ms): ${latencies.length} reads, p50 ${p50.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
    expect(p50).toBeLessThan(20);
    expect(max).toBeLessThan(150);
  });

  it('waits for the hub once the copy is older than the hard age', async () => {
    let now = 5_000_000;
    const hub = countingHub();
    const cache = new EdgeSnapshotCache({ now: () => now, freshness: new NoFreshness(), hubFor: hub.hubFor });
    const first = await cache.read(edgeEnv, ENV, deferrer());
    const version = await publishKillSwitch();
    now += HARD + 1;
    const d = deferrer();
    const after = await cache.read(edgeEnv, ENV, d);
    expect(first.version).toBeLessThan(version);
    expect(after.version).toBe(version);
  });
});
