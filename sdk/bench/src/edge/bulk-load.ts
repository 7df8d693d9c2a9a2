/**
 * Requests per second of `POST /sdk/v1/evaluate` under a closed-loop load generator on
 * loopback (keep-alive, fixed concurrency, fixed duration). The generator shares the machine's
 * cores with workerd, so this is a floor, not the Worker's ceiling. The rate limit is per key
 * (6,000 a minute), so the load spreads over enough client keys created for the run.
 */
import { randomUUID } from 'node:crypto';

export interface LoadResult {
  concurrency: number;
  seconds: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 200, by status. */
  failures: Record<string, number>;
}

interface Worker {
  url: string;
  keys: { admin: string };
}

async function createClientKeys(worker: Worker, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${worker.url}/api/v1/sdk-keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'client', environment: 'development', name: `bench-${i}` }),
    });
    if (!res.ok) throw new Error(`creating a bench key failed: ${res.status} ${await res.text()}`);
    keys.push(((await res.json()) as { secret: string }).secret);
  }
  return keys;
}

export async function benchBulkLoad(worker: Worker, { concurrency = 32, seconds = 8 } = {}): Promise<LoadResult> {
  // 100 requests/s per key; leave headroom over what two cores can push.
  const keys = await createClientKeys(worker, 60);
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const loop = async (lane: number) => {
    for (let i = lane; performance.now() < end; i += concurrency) {
      const t0 = performance.now();
      const res = await fetch(`${worker.url}/sdk/v1/evaluate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys[i % keys.length]}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: randomUUID(), accountId: `acct-${i % 12_000}`, plan: 'free', country: 'GB' } }),
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      n++;
      if (res.status !== 200) failures[res.status] = (failures[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => loop(lane)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { concurrency, seconds: elapsed, requests: n, rps: n / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99), failures };
}
