/**
 * The edge read path (issue 9 §1) in Node, with the Worker's own EdgeSnapshotCache: simulated
 * hubs and locations, real revalidation code.
 *
 * - Latency of a bulk evaluation while the hub answers in 0 / 50 / 200 ms: today's path (no
 *   location cache, a copy past its 1 s age makes the request wait for the hub) against the new
 *   one (serve the copy, refresh after the answer via waitUntil, share freshness per location).
 *   Real timers: each request's wall time is what a user would wait.
 * - Hub requests per second from a fleet of isolates in many locations, on simulated clocks.
 *
 * EdgeSnapshotCache is loaded through the package export `@edgeflags/worker/bench/edge-cache`
 * with a non-literal specifier: its types need the Workers types, which do not mix with Node's,
 * so this file describes the little it uses (EdgeCacheModule) and tsc -p workers checks the rest.
 */
import type { EvaluationContext, FlagSnapshot } from '@edgeflags/core';
import { evaluateForKey, evaluationEtag } from '@edgeflags/worker/bench';
import { buildSnapshot } from '../snapshot-fixture.ts';

interface HubHead {
  version: number;
  etag: string;
  at: number;
  leaseUntil?: number;
}
interface SharedSnapshot {
  version: number;
  etag: string;
  json: string;
}
interface LocationFreshness {
  read(environment: string): Promise<HubHead | undefined>;
  write(environment: string, head: HubHead, ttlMs: number): Promise<void>;
  readSnapshot(environment: string, version: number): Promise<SharedSnapshot | undefined>;
  writeSnapshot(environment: string, snapshot: SharedSnapshot): Promise<void>;
}
interface Hub {
  current(since?: number): Promise<{ version: number; etag: string; snapshot?: string } | null>;
  publish(event: unknown, options?: unknown): Promise<unknown>;
}
interface Deferrer {
  waitUntil(work: Promise<unknown>): void;
}
interface Cached {
  version: number;
  readonly compiled: FlagSnapshot;
}
interface EdgeCache {
  read(env: unknown, environment: string, deferrer?: Deferrer): Promise<Cached>;
}
interface EdgeCacheModule {
  EdgeSnapshotCache: new (options: {
    now?: () => number;
    freshness: LocationFreshness;
    hubFor: (env: unknown, environment: string) => Hub;
  }) => EdgeCache;
}

const EDGE_CACHE = '@edgeflags/worker/bench/edge-cache';
const load = async (): Promise<EdgeCacheModule> => (await import(EDGE_CACHE)) as EdgeCacheModule;

const ENV = 'production';
/** The Worker's defaults (wrangler.toml): soft age 1 s, hard age 3 s, location TTL 1 s. */
const SETTINGS = { SNAPSHOT_MAX_AGE_MS: '1000', SNAPSHOT_HARD_MAX_AGE_MS: '3000', SNAPSHOT_LOCATION_TTL_MS: '1000' };
/** Today's path: no location cache (TTL 0), and requests never lend a waitUntil. */
const TODAY = { ...SETTINGS, SNAPSHOT_LOCATION_TTL_MS: '0' };

/** One environment's hub: answers with its head, and the snapshot when the caller's version differs. */
class SimulatedHub implements Hub {
  calls = 0;
  version = 1;
  json: string;
  readonly #delay: () => Promise<void>;
  constructor(json: string, delay: () => Promise<void>) {
    this.json = json;
    this.#delay = delay;
  }
  async current(since?: number) {
    this.calls++;
    await this.#delay();
    const head = { version: this.version, etag: `"${ENV}.${this.version}"` };
    return since === this.version ? head : { ...head, snapshot: this.json };
  }
  async publish() {
    return undefined;
  }
}

/** A location's Cache API: a map, as caches.default is one per data center. */
class MemoryFreshness implements LocationFreshness {
  reads = 0;
  #head: HubHead | undefined;
  readonly #snapshots = new Map<number, SharedSnapshot>();
  async read() {
    this.reads++;
    return this.#head;
  }
  async write(_e: string, head: HubHead) {
    this.#head = head;
  }
  async readSnapshot(_e: string, version: number) {
    return this.#snapshots.get(version);
  }
  async writeSnapshot(_e: string, snapshot: SharedSnapshot) {
    this.#snapshots.set(snapshot.version, snapshot);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface LatencyRow {
  hubMs: number;
  path: 'today' | 'new';
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests that took longer than the hub's answer time: they waited on it. */
  waited: number;
}

/**
 * One isolate serving a request every `gapMs` for `seconds`, each a 50-flag bulk evaluation
 * (read the snapshot, evaluate for a server key, ETag, serialize), with the hub `hubMs` away.
 */
async function latency(mod: EdgeCacheModule, hubMs: number, path: 'today' | 'new', seconds: number, gapMs = 20): Promise<LatencyRow> {
  const json = JSON.stringify(buildSnapshot(50, 5));
  const hub = new SimulatedHub(json, () => (hubMs > 0 ? sleep(hubMs) : Promise.resolve()));
  const cache = new mod.EdgeSnapshotCache({ freshness: new MemoryFreshness(), hubFor: () => hub });
  const env = path === 'today' ? TODAY : SETTINGS;
  const pending: Promise<unknown>[] = [];
  const deferrer: Deferrer | undefined = path === 'new' ? { waitUntil: (p) => void pending.push(p) } : undefined;
  const context: EvaluationContext = { targetingKey: 'user-1', accountId: 'acct-1', plan: 'pro', country: 'GB' };
  const once = async () => {
    const snap = await cache.read(env, ENV, deferrer);
    const entry = { version: snap.version, compiled: snap.compiled };
    return JSON.stringify({ flags: evaluateForKey(entry, 'server', context), etag: evaluationEtag(entry, 'server', context) }).length;
  };
  await once(); // the cold read, which waits in both paths
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
    await sleep(gapMs);
  }
  await Promise.all(pending);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return {
    hubMs,
    path,
    requests: times.length,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: times.at(-1)!,
    waited: hubMs > 0 ? times.filter((t) => t >= hubMs * 0.9).length : 0,
  };
}

export async function benchReadLatency(seconds = 3): Promise<LatencyRow[]> {
  const mod = await load();
  const rows: LatencyRow[] = [];
  for (const hubMs of [0, 50, 200]) for (const path of ['today', 'new'] as const) rows.push(await latency(mod, hubMs, path, seconds));
  return rows;
}

export interface FleetResult {
  isolates: number;
  locations: number;
  seconds: number;
  requestsPerSecond: number;
  path: 'today' | 'new';
  hubCalls: number;
  hubPerSecond: number;
  /** Most hub calls any one location made per second. */
  maxLocationPerSecond: number;
}

/**
 * `isolates` spread over `locations`, each isolate receiving a request every 0.2–2 s (its own
 * steady rate) for `seconds` of simulated time, served through the real EdgeSnapshotCache with
 * one simulated clock. The hub answers at once; what is counted is how often it is asked.
 */
async function fleet(
  mod: EdgeCacheModule,
  path: 'today' | 'new',
  isolates: number,
  locations: number,
  seconds: number,
): Promise<FleetResult> {
  let now = 1_000_000;
  const start = now;
  const hub = new SimulatedHub(JSON.stringify(buildSnapshot(20, 2)), () => Promise.resolve());
  const perLocation = Array.from({ length: locations }, () => ({ calls: 0 }));
  const places = Array.from({ length: locations }, () => new MemoryFreshness());
  const env = path === 'today' ? TODAY : SETTINGS;
  const fleetOf = Array.from({ length: isolates }, (_, i) => {
    const l = i % locations;
    const counted: Hub = {
      current: (since) => {
        perLocation[l]!.calls++;
        return hub.current(since);
      },
      publish: () => Promise.resolve(undefined),
    };
    return {
      cache: new mod.EdgeSnapshotCache({ now: () => now, freshness: places[l]!, hubFor: () => counted }),
      period: 200 + ((i * 7919) % 1800),
      next: start + ((i * 104_729) % 2000),
    };
  });
  // Every request in time order: a simple scan per step is fast enough for a few thousand isolates.
  const endAt = start + seconds * 1000;
  let requests = 0;
  for (let t = start; t < endAt; t += 50) {
    for (const isolate of fleetOf) {
      while (isolate.next < t + 50) {
        now = isolate.next;
        const pending: Promise<unknown>[] = [];
        await isolate.cache.read(env, ENV, path === 'new' ? { waitUntil: (p) => void pending.push(p) } : undefined);
        await Promise.all(pending);
        isolate.next += isolate.period;
        requests++;
      }
    }
    // A change every 10 s, as a busy environment might see.
    if ((t - start) % 10_000 === 0 && t > start) hub.version++;
  }
  const calls = perLocation.reduce((n, l) => n + l.calls, 0);
  return {
    isolates,
    locations,
    seconds,
    requestsPerSecond: requests / seconds,
    path,
    hubCalls: calls,
    hubPerSecond: calls / seconds,
    maxLocationPerSecond: Math.max(...perLocation.map((l) => l.calls)) / seconds,
  };
}

export async function benchFleet(isolates = 1_000, locations = 50, seconds = 60): Promise<FleetResult[]> {
  const mod = await load();
  return [await fleet(mod, 'today', isolates, locations, seconds), await fleet(mod, 'new', isolates, locations, seconds)];
}

export function readPathLines(rows: readonly LatencyRow[], fleetRows: readonly FleetResult[]): string[] {
  const f = (n: number) => n.toFixed(1);
  return [
    'edge bulk evaluation (50 flags) with the hub N ms away, one isolate, a request every 20 ms (real timers, EdgeSnapshotCache):',
    ...rows.map(
      (r) =>
        `  hub ${String(r.hubMs).padStart(3)} ms, ${r.path === 'today' ? "today's path (await the hub past 1 s)" : 'new path (serve + waitUntil refresh)  '}: ` +
        `p50 ${f(r.p50Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms; ${r.waited} of ${r.requests} requests waited on the hub`,
    ),
    ...fleetRows.map(
      (r) =>
        `hub requests from ${r.isolates.toLocaleString('en-US')} isolates in ${r.locations} locations (${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s, ${r.seconds} simulated s), ` +
        `${r.path === 'today' ? "today's path" : 'new path'}: ${f(r.hubPerSecond)} hub req/s (busiest location ${f(r.maxLocationPerSecond)}/s)`,
    ),
  ];
}
