import { compileSnapshot, type EvaluationContext, type FlagSnapshot, type Snapshot } from '@edgeflags/core';
import { quantile } from './harness.ts';
import { buildSnapshot } from './snapshot-fixture.ts';

export interface CompileTiming {
  flags: number;
  segments: number;
  jsonBytes: number;
  /** The process's first compile of this snapshot (cold JIT), ms: closer to a rare real push. */
  first: number;
  /** Every flag compiled up front (`eager: true`), warm, ms per run. */
  compile: { median: number; min: number; max: number };
  /** What an SDK does when a snapshot arrives: index it, each flag compiling on first use. */
  swap: { median: number; min: number; max: number };
  /** JSON.parse of the same snapshot, for reference. */
  parse: { median: number; min: number; max: number };
  runs: number;
  warmup: number;
}

const SAMPLE_CONTEXTS: EvaluationContext[] = [
  { targetingKey: 'user-31', accountId: 'acct-7', country: 'US', plan: 'pro', email: 'ann+qa3@example.com', appVersion: '2.4.1', age: 30 },
  { targetingKey: 'user-9999', accountId: 'acct-123456', country: 'DE', plan: 'free', beta: true, userAgent: 'Android Mobile' },
  { targetingKey: 'user-1', accountId: 'acct-1', country: 'JP', plan: 'enterprise', path: '/beta/x', signupDate: '2025-03-01', seats: 3 },
];

/** Compiling must succeed for every flag, or the timing would measure the error path. */
function assertCompiledCleanly(snapshot: FlagSnapshot, expected: number): void {
  if (snapshot.keys.length !== expected) throw new Error(`compiled ${snapshot.keys.length} flags, expected ${expected}`);
  for (const ctx of SAMPLE_CONTEXTS) {
    for (const [key, result] of Object.entries(snapshot.evaluateAll(ctx))) {
      if (result.reason === 'ERROR') throw new Error(`fixture flag "${key}" evaluates to ${result.errorCode}: ${result.errorMessage}`);
    }
  }
}

function stats(samples: number[]): CompileTiming['compile'] {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Back-to-back runs, so GC is amortised into the median; only the latest result stays alive, as
 * when a new snapshot replaces the old one. (Collecting the heap before each run was tried and
 * is worse: a full GC shrinks the young generation, and the next compile, which keeps everything
 * it allocates alive until it returns, pays for regrowing it.)
 */
function timeMs(runs: number, warmup: number, fn: () => unknown): number[] {
  let latest: unknown;
  for (let i = 0; i < warmup; i++) latest = fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    latest = fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  if (latest === undefined) throw new Error('nothing was produced');
  return samples;
}

/**
 * Median ms to compile a 1,000-flag snapshot, and to JSON.parse it, over `runs` runs each after
 * `warmup` untimed ones (it takes a few dozen compiles for the JIT and heap sizing to settle).
 */
export function benchCompile(runs = 20, warmup = 30): CompileTiming {
  const snapshot = buildSnapshot();
  const json = JSON.stringify(snapshot);
  const parsed = JSON.parse(json) as Snapshot;
  const start = process.hrtime.bigint();
  const compiled = compileSnapshot(parsed, { eager: true });
  const first = Number(process.hrtime.bigint() - start) / 1e6;
  assertCompiledCleanly(compiled, snapshot.flags.length);
  return {
    first,
    flags: snapshot.flags.length,
    segments: snapshot.segments?.length ?? 0,
    jsonBytes: Buffer.byteLength(json),
    compile: stats(timeMs(runs, warmup, () => compileSnapshot(parsed, { eager: true }))),
    swap: stats(timeMs(runs, warmup, () => compileSnapshot(parsed))),
    parse: stats(timeMs(runs, warmup, () => JSON.parse(json))),
    runs,
    warmup,
  };
}
