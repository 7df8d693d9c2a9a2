/**
 * Fan-out to 10,000 server-kind WebSocket subscribers (issue 9 §2): today's single hub beside
 * 8 subscriber shards (HUB_MIN_SHARDS=8, docs/scale.md §2). The real EnvironmentHub code (root
 * and shards) runs in workerd under Miniflare on 127.0.0.1, behind the Worker's own shard routing
 * (`@edgeflags/worker/bench/hub`, without key checks, so 10,000 streams open in seconds). A
 * server SDK's stream gets the whole snapshot in each push, so a subscriber holds the new value
 * when the push with the new version arrives; latency runs from the publish request sent to that.
 *
 * What one process on 2 shared cores can show: the root and every shard run in one workerd
 * process on the same cores, so the shards' send loops run one after another, not side by side.
 * Measured: both configurations end to end, and the spread (last arrival − first). Derived: the
 * sharded p99 with each shard on its own machine, as its first arrival + the single hub's
 * spread / N (each shard sends to 1/N of the subscribers).
 *
 *   node sdk/bench/src/edge/fanout.ts      (FANOUT_SUBSCRIBERS=n for another count; part of npm run bench:edge)
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

const SNAPSHOT = JSON.stringify({
  environment: 'bench',
  version: 1,
  flags: Array.from({ length: 50 }, (_, i) => ({
    key: `flag-${i}`,
    kind: 'boolean',
    enabled: i % 2 === 0,
    variants: { on: true, off: false },
  })),
  segments: [],
});

export interface FanoutResult {
  label: string;
  shards: number;
  subscribers: number;
  publishes: number;
  /** Pushes of the new version that arrived, of subscribers × publishes. */
  delivered: number;
  /** What the root's publish answered as `sent`, summed: its count across shards. */
  reported: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Medians over publishes of (first arrival − request sent) and (last − first). */
  firstMs: number;
  spreadMs: number;
  connectSeconds: number;
}

const percentile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/** The bench entry bundled as the Worker would be (workerd resolves cloudflare:* itself). */
async function bundle(): Promise<string> {
  const out = await build({
    stdin: {
      contents: "export * from '@edgeflags/worker/bench/hub'; export { default } from '@edgeflags/worker/bench/hub';",
      resolveDir: import.meta.dirname,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

async function measure(script: string, label: string, shards: number, subscribers: number, publishes: number): Promise<FanoutResult> {
  // Miniflare 5 takes the v4 option shape through its converter.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      compatibilityFlags: ['nodejs_compat'],
      durableObjects: {
        HUB: { className: 'EnvironmentHub', useSQLite: true },
        FLEET: { className: 'SubscriberFleet', useSQLite: true },
      },
      kvNamespaces: ['SNAPSHOTS'],
      d1Databases: ['DB'],
      // N fixed for the run (no growth); the default caps hold 10,000 streams (bench-hub.ts spreads them over 16 keys).
      bindings: { HUB_MIN_SHARDS: String(shards), HUB_MAX_SHARDS: String(shards), HUB_SHARD_CAPACITY: '100000' },
      // The hub confirms each KV write to D1, which has no tables here: its warnings are not the bench's.
      ...(process.env.FANOUT_VERBOSE
        ? {}
        : {
            handleRuntimeStdio(stdout: Readable, stderr: Readable) {
              stdout.resume();
              stderr.resume();
            },
            handleStructuredLogs() {},
          }),
    }),
  );
  try {
    const call = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await mf.dispatchFetch(`http://bench${path}`, {
        method: body ? 'POST' : 'GET',
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    await call('/seed', { version: 1, etag: '"bench.1"', snapshot: SNAPSHOT, changed: [] });
    const opening = performance.now();
    // In steps of 1,000: one request per step keeps each call short however slow the opening is.
    let opened = 0;
    for (let n = Math.min(1_000, subscribers); opened < subscribers; n = Math.min(n + 1_000, subscribers))
      opened = await call<number>(`/open?n=${n}`);
    if (opened !== subscribers) throw new Error(`opened ${opened} of ${subscribers} streams`);
    const connectSeconds = (performance.now() - opening) / 1000;
    const shardsUsed = await call<number>('/shards');
    const latencies: number[] = [];
    const firsts: number[] = [];
    const spreads: number[] = [];
    let delivered = 0;
    let reported = 0;
    for (let p = 0; p < publishes; p++) {
      const version = p + 2;
      const snapshot = SNAPSHOT.replace('"version":1', `"version":${version}`).replace('"enabled":true', `"enabled":${p % 2 === 1}`);
      const result = await call<{ sent: number; latencies: number[]; held: number; closed: number }>('/publish', {
        version,
        etag: `"bench.${version}"`,
        snapshot,
        changed: ['flag-0'],
      });
      if (process.env.FANOUT_VERBOSE)
        console.error(`publish ${version}: sent ${result.sent}, fleet holds ${result.held}, ${result.closed} closed`);
      const got = result.latencies.sort((a, b) => a - b);
      reported += result.sent;
      delivered += got.length;
      latencies.push(...got);
      if (got.length) {
        firsts.push(got[0]!);
        spreads.push(got.at(-1)! - got[0]!);
      }
      await sleep(200);
    }
    await call('/close');
    latencies.sort((a, b) => a - b);
    return {
      label,
      shards: shardsUsed,
      subscribers,
      publishes,
      delivered,
      reported,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      firstMs: median(firsts),
      spreadMs: median(spreads),
      connectSeconds,
    };
  } finally {
    await mf.dispose();
  }
}

export async function benchFanout(subscribers = 10_000, publishes = 3): Promise<FanoutResult[]> {
  const script = await bundle();
  const only = process.env.FANOUT_ONLY; // 'single' or 'sharded': one configuration, when diagnosing
  const results: FanoutResult[] = [];
  if (only !== 'sharded') results.push(await measure(script, 'single hub', 1, subscribers, publishes));
  if (only !== 'single') results.push(await measure(script, '8 shards', 8, subscribers, publishes));
  return results;
}

const f = (n: number) => n.toFixed(0);

export function fanoutLines(results: readonly FanoutResult[]): string[] {
  const lines = results.map(
    (r) =>
      `fan-out → ${r.subscribers.toLocaleString('en')} server WebSockets, ${r.label} (N = ${r.shards}), ${r.publishes} publishes: ` +
      `delivered ${r.delivered}/${r.subscribers * r.publishes} (root counted ${r.reported}); from the publish request sent: ` +
      `p50 ${f(r.p50Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms; first arrival ${f(r.firstMs)} ms, spread ${f(r.spreadMs)} ms ` +
      `[measured; streams opened in ${r.connectSeconds.toFixed(1)} s]`,
  );
  const single = results.find((r) => r.shards === 1);
  const sharded = results.find((r) => r.shards > 1);
  if (single && single.delivered === 0)
    lines.push(
      `  the single hub delivered none of its ${single.subscribers.toLocaleString('en')} subscribers' pushes at this size (measured; see docs/scale.md §2)`,
    );
  if (single?.delivered && sharded) {
    const derived = sharded.firstMs + single.spreadMs / sharded.shards;
    lines.push(
      `  derived, ${sharded.shards} shards each on its own machine: p99 ≈ first arrival ${f(sharded.firstMs)} + single-hub spread ` +
        `${f(single.spreadMs)} / ${sharded.shards} = ${f(derived)} ms (here the root and every shard share one workerd on 2 cores, ` +
        'so the measured sharded figure runs all the send loops one after another, plus a root → shard call)',
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.env.FANOUT_SUBSCRIBERS) || undefined;
  for (const line of fanoutLines(await benchFanout(n))) console.log(line);
}
