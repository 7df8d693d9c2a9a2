/**
 * CPU of one bulk evaluation at the edge: the work `POST /sdk/v1/evaluate` does per request once
 * its snapshot is in isolate memory — parse and validate the context (zod), evaluate every flag
 * of a 50-flag environment, derive the ETag, serialize the answer. It runs the Worker's own
 * functions in Node (same V8), since workerd exposes no per-request CPU clock locally.
 */
import { compileSnapshot, type EvaluationContext } from '@edgeflags/core';
import { EvaluateBody, evaluateForKey, evaluationEtag } from '@edgeflags/worker/bench';
import { buildSnapshot } from '../snapshot-fixture.ts';

export const BULK_FLAGS = 50;

export interface BulkCpu {
  flags: number;
  /** Median ms per request over rounds. */
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  /** Flags in the answer (checked, so the work cannot be skipped). */
  answered: number;
}

function bodies(n: number): string[] {
  const countries = ['US', 'GB', 'DE', 'FR', 'JP', 'BR'];
  const plans = ['free', 'pro', 'business', 'enterprise'];
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      context: {
        targetingKey: `user-${i}`,
        accountId: `acct-${i % 97}`,
        plan: plans[i % plans.length],
        country: countries[i % countries.length],
        email: `u${i}@corp${i % 40}.example.com`,
        appVersion: `2.${i % 10}.0`,
        signupDate: '2025-06-01',
        seats: i % 300,
      },
    }),
  );
}

export function benchBulkCpu(rounds = 25, perRound = 2_000): BulkCpu {
  const snapshot = buildSnapshot(BULK_FLAGS, 5);
  const snap = { version: snapshot.version, compiled: compileSnapshot(snapshot) };
  const pool = bodies(256);
  let answered = 0;
  const once = (body: string): number => {
    const parsed = EvaluateBody.safeParse(JSON.parse(body));
    if (!parsed.success) throw new Error('bench context failed validation');
    const context = parsed.data.context as EvaluationContext;
    const etag = evaluationEtag(snap, 'server', context);
    const out = JSON.stringify({ environment: 'bench', version: snap.version, flags: evaluateForKey(snap, 'server', context) });
    return out.length + etag.length;
  };
  answered = Object.keys(evaluateForKey(snap, 'server', JSON.parse(pool[0]!).context)).length;
  for (let i = 0; i < 5_000; i++) once(pool[i & 255]!);
  const samples: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.threadCpuUsage(); // CPU time: other processes on the machine do not count
    for (let i = 0; i < perRound; i++) sink += once(pool[(i + r) & 255]!);
    const used = process.threadCpuUsage(t0);
    samples.push((used.user + used.system) / 1e3 / perRound);
  }
  if (sink === 0) throw new Error('no output');
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { flags: BULK_FLAGS, medianMs: at(0.5), q1Ms: at(0.25), q3Ms: at(0.75), answered };
}
