/**
 * Edge cost of release metrics: the CPU `POST /sdk/v1/metrics` spends on one SDK flush (parse with
 * the body limits, zod shape and bounds, snapshot check, one queue message per flag, serialized)
 * and how many queue messages a million requests become. It runs the Worker's own admitMetrics in
 * Node (same V8), since workerd exposes no per-request CPU clock locally. The payload is what an
 * SDK sends: per tracked flag × variant, counts, errors, a latency sketch and two event totals,
 * pre-aggregated over one 10 s flush.
 */
import { LatencySketch, type MetricsPayload, type OutcomeSummary } from '@edgeflags/core';
import { admitMetrics } from '@edgeflags/worker/bench';
import { buildSnapshot } from '../snapshot-fixture.ts';

export const FLUSH_SECONDS = 10;
const TRACKED = 2;
const ROLLOUT = 0.05;

export interface IngestCost {
  trackedFlags: number;
  /** Requests one payload summarizes, per scenario. */
  scenarios: { requestsPerPayload: number; bodyBytes: number; medianUs: number; messages: number }[];
}

/** A seeded log-normal latency (median ~45 ms) and a 1% error rate, as a service would see. */
function payloadFor(requests: number, flags: readonly string[]): MetricsPayload {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const summaries: OutcomeSummary[] = [];
  for (const flag of flags) {
    for (const [variant, share] of [
      ['on', ROLLOUT],
      ['off', 1 - ROLLOUT],
    ] as const) {
      const count = Math.max(1, Math.round(requests * share));
      const sketch = new LatencySketch();
      let errors = 0;
      for (let i = 0; i < count; i++) {
        const normal = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
        sketch.add(45 * Math.exp(0.6 * normal));
        if (rand() < 0.01) errors++;
      }
      const events = { 'invoice-created': { count: Math.round(count * 0.2), sum: count * 31.5 }, 'pdf-rendered': { count, sum: 0 } };
      summaries.push({ flag, variant, count, errors, latency: sketch.toJSON(), events });
    }
  }
  return { windowMs: FLUSH_SECONDS * 1000, summaries };
}

export function benchMetricsIngest(rounds = 25, perRound = 400): IngestCost {
  const snapshot = buildSnapshot(50, 5);
  const booleans = snapshot.flags.filter((f) => 'on' in f.variants && 'off' in f.variants).map((f) => f.key);
  const tracked = booleans.slice(0, TRACKED);
  const json = JSON.stringify({ ...snapshot, tracked });
  const snap = { json };
  const stamp = { environment: 'bench', receivedAt: 0, source: 'server' as const, caller: 'key:bench' };
  const scenarios = [100, 10_000, 1_000_000].map((requestsPerPayload) => {
    const text = JSON.stringify(payloadFor(requestsPerPayload, tracked));
    const once = () => {
      const admitted = admitMetrics(text, snap, stamp);
      let bytes = 0;
      for (const m of admitted.messages) bytes += JSON.stringify(m.body).length; // what the queue send serializes
      if (admitted.accepted !== TRACKED * 2) throw new Error(`admitted ${admitted.accepted} of ${TRACKED * 2} summaries`);
      return { bytes, messages: admitted.messages.length };
    };
    let messages = 0;
    for (let i = 0; i < 500; i++) messages = once().messages;
    const samples: number[] = [];
    let sink = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = process.threadCpuUsage(); // CPU time: other processes on the machine do not count
      for (let i = 0; i < perRound; i++) sink += once().bytes;
      const used = process.threadCpuUsage(t0);
      samples.push((used.user + used.system) / perRound);
    }
    if (sink === 0) throw new Error('no output');
    samples.sort((a, b) => a - b);
    return { requestsPerPayload, bodyBytes: text.length, medianUs: samples[Math.floor(samples.length / 2)]!, messages };
  });
  return { trackedFlags: TRACKED, scenarios };
}

/** Lines for the report: per payload, and per million requests. */
export function ingestLines(cost: IngestCost): string[] {
  const f = (n: number, d = 1) => n.toFixed(d);
  return [
    `release metrics ingestion (POST /sdk/v1/metrics: parse + validate + snapshot check + per-flag queue messages), ` +
      `${cost.trackedFlags} tracked flags × 2 variants, ${FLUSH_SECONDS} s flushes:`,
    ...cost.scenarios.map((s) => {
      const payloads = 1_000_000 / s.requestsPerPayload;
      return (
        `  ${s.requestsPerPayload.toLocaleString('en-US')} requests a payload (${f(s.bodyBytes / 1024)} KB): median ${f(s.medianUs)} µs CPU → ` +
        `per million requests ${f((payloads * s.medianUs) / 1000, 2)} ms CPU, ${Math.ceil(payloads).toLocaleString('en-US')} requests to the edge, ` +
        `${Math.ceil(payloads * s.messages).toLocaleString('en-US')} queue messages`
      );
    }),
  ];
}
