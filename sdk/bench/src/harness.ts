/**
 * Timing for nanosecond operations: a tight loop over a batch of calls cycling through the
 * context pool, timed in thread CPU time (`process.threadCpuUsage()`), after warm-up and calibration; the
 * reported figure is the median over rounds. Every call's result goes into a count of `true`s,
 * which each batch checks against the count verified beforehand, so V8 cannot drop the work
 * and the timed path is known to compute the verified answers.
 *
 * Rounds are interleaved: round r times one batch of every SDK × flag before round r + 1, so
 * a burst of background load lands on all of them rather than on whoever was running.
 *
 * Before any timing, verification has evaluated both flags for every user, so each SDK's
 * internal call sites have seen more than one flag, as in an application.
 */
import { setTimeout } from 'node:timers/promises';
import type { Evaluators, FlagName } from './sdk.ts';

/** Pause after a forced collection, for its background sweeping to finish off the main thread's core. */
const GC_SETTLE_MS = 20;

export interface TimingOptions {
  /** Timed rounds; the median is reported. */
  rounds: number;
  /** Untimed batches run for at least this long first. */
  warmupMs: number;
  /** Batch size is picked to make a batch take about this long, within [minBatch, maxBatch]. */
  targetBatchMs: number;
  minBatch: number;
  maxBatch: number;
}

export const DEFAULT_TIMING: TimingOptions = {
  rounds: 15,
  warmupMs: 300,
  targetBatchMs: 40,
  minBatch: 131_072,
  maxBatch: 1_048_576,
};

export interface Timing {
  /** Median ns per call. */
  median: number;
  q1: number;
  q3: number;
  /** Calls per batch. */
  batch: number;
  rounds: number;
}

/** One SDK × flag, warmed up, with its batch size fixed: each `sample()` times one batch. */
export interface Runner {
  readonly batch: number;
  /**
   * The main thread's CPU ns per call over one batch. CPU time, not wall time: on a shared
   * machine another process taking the core stretches wall time but not this thread's CPU time
   * (Linux accounts it to the microsecond), so the figures hold up under load far better.
   */
  sample(): Promise<number>;
}

type Call = (ctx: unknown) => boolean | Promise<boolean>;
type Loop = (fn: Call, contexts: readonly unknown[], mask: number, n: number) => number | Promise<number>;

const SYNC_BODY = `
  let hits = 0;
  for (let i = 0; i < n; i++) if (fn(contexts[i & mask]) === true) hits++;
  return hits;`;

const ASYNC_BODY = `
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await fn(contexts[i & mask])) === true) hits++;
  return hits;`;

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as FunctionConstructor;

let loopsMade = 0;

/**
 * A new loop function per SDK × flag. One shared loop would collect call-site feedback from
 * every SDK, go megamorphic and stop inlining, penalising whoever runs later; a fresh function
 * gives each SDK a monomorphic call site, as in an application that uses one SDK.
 *
 * Each body differs by a comment: V8 caches `new Function` by its source, and from the second
 * identical source on hands back the same compiled function WITH its feedback, so every runner
 * shared one call site (traced with --trace-deopt: "wrong call target" in the loop), which had
 * seen every SDK's closures by the realistic state.
 */
export function freshLoop(mode: Evaluators['mode']): Loop {
  const body = `${mode === 'sync' ? SYNC_BODY : ASYNC_BODY}\n  // loop ${++loopsMade}`;
  return mode === 'sync'
    ? (new Function('fn', 'contexts', 'mask', 'n', body) as Loop)
    : (new AsyncFunction('fn', 'contexts', 'mask', 'n', body) as Loop);
}

/**
 * Warms one flag of one SDK up and sizes its batches. `expectedPerPool` is how many of the
 * pool's contexts the flag is on for; batches are whole passes over the pool, so each batch's
 * count of `true`s is exact.
 */
export async function prepare(ev: Evaluators, flag: FlagName, expectedPerPool: number, opts = DEFAULT_TIMING): Promise<Runner> {
  const pool = ev.contexts.length;
  if ((pool & (pool - 1)) !== 0) throw new Error(`pool size ${pool} is not a power of two`);
  const fn = ev[flag] as Call;
  const loop = freshLoop(ev.mode);
  const run = async (n: number): Promise<number> => {
    const start = process.threadCpuUsage();
    const pending = loop(fn, ev.contexts, pool - 1, n);
    const hits = typeof pending === 'number' ? pending : await pending;
    const used = process.threadCpuUsage(start);
    const ns = (used.user + used.system) * 1000;
    const expected = (n / pool) * expectedPerPool;
    if (hits !== expected) {
      throw new Error(`${flag}: ${hits} trues in ${n} calls, expected ${expected}: the timed path disagrees with the verified one`);
    }
    return ns;
  };

  // Double the batch while one takes under 5 ms, and keep going until warmupMs has passed,
  // so the JIT has settled before the batch size is derived from the call rate.
  let n = pool;
  let ns = await run(n);
  const warmupEnd = performance.now() + opts.warmupMs;
  while (performance.now() < warmupEnd || (ns < 5e6 && n < opts.maxBatch)) {
    if (ns < 5e6 && n < opts.maxBatch) n *= 2;
    ns = await run(n);
  }
  const wanted = Math.ceil((opts.targetBatchMs * 1e6 * n) / ns / pool) * pool;
  const batch = Math.min(opts.maxBatch, Math.max(opts.minBatch, wanted));
  await run(batch);
  return { batch, sample: async () => (await run(batch)) / batch };
}

export interface Rounds {
  timings: Timing[];
  /**
   * Main-thread CPU time over wall time while batches ran, summed per round (thread CPU
   * accounting is too coarse for single batches). Well under 1: other processes
   * competed for the CPU and every figure is inflated.
   */
  onCpu: number;
}

/**
 * Interleaved rounds over every runner. Before each round the heap is collected (when exposed)
 * and V8's background sweeping given a moment to finish; the runner that goes first rotates, so
 * no SDK always runs right after the collection.
 */
export async function timeRounds(runners: readonly Runner[], rounds = DEFAULT_TIMING.rounds): Promise<Rounds> {
  const samples = runners.map((): number[] => []);
  let wallUs = 0;
  let cpuUs = 0;
  for (let r = 0; r < rounds; r++) {
    if (globalThis.gc) {
      globalThis.gc();
      await setTimeout(GC_SETTLE_MS);
    }
    const cpu = process.threadCpuUsage();
    const start = process.hrtime.bigint();
    for (let k = 0; k < runners.length; k++) {
      const i = (r + k) % runners.length;
      samples[i]!.push(await runners[i]!.sample());
    }
    wallUs += Number(process.hrtime.bigint() - start) / 1000;
    const used = process.threadCpuUsage(cpu);
    cpuUs += used.user + used.system;
  }
  const timings = samples.map((s, i) => {
    const sorted = s.sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), batch: runners[i]!.batch, rounds };
  });
  return { timings, onCpu: cpuUs / wallUs };
}

/** Quantile of sorted samples, interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
