/**
 * Timing for nanosecond operations: a tight loop over a batch of calls cycling through the
 * context pool, timed with `process.hrtime.bigint()`, after calibration and warm-up; the
 * reported figure is the median over rounds. Every call's result goes into a count of `true`s,
 * which each round checks against the count verified beforehand, so V8 cannot drop the work
 * and the timed path is known to compute the verified answers.
 *
 * Before any timing, verification has evaluated both flags for every user, so each SDK's
 * internal call sites have seen more than one flag, as in an application.
 */
import type { Evaluators, FlagName } from './sdk.ts';

export interface TimingOptions {
  /** Timed rounds; the median is reported. */
  rounds: number;
  /** Untimed batches run for at least this long first. */
  warmupMs: number;
  /** Batch size is picked to make a round take about this long, within [minBatch, maxBatch]. */
  targetRoundMs: number;
  minBatch: number;
  maxBatch: number;
}

export const DEFAULT_TIMING: TimingOptions = {
  rounds: 15,
  warmupMs: 300,
  targetRoundMs: 40,
  minBatch: 131_072,
  maxBatch: 1_048_576,
};

export interface Timing {
  /** Median ns per call. */
  median: number;
  q1: number;
  q3: number;
  /** Calls per round. */
  batch: number;
  rounds: number;
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

/**
 * A new loop function per measurement. One shared loop would collect call-site feedback from
 * every SDK, go megamorphic and stop inlining, penalising whoever runs later; a fresh function
 * gives each SDK a monomorphic call site, as in an application that uses one SDK.
 */
function freshLoop(mode: Evaluators['mode']): Loop {
  return mode === 'sync'
    ? (new Function('fn', 'contexts', 'mask', 'n', SYNC_BODY) as Loop)
    : (new AsyncFunction('fn', 'contexts', 'mask', 'n', ASYNC_BODY) as Loop);
}

/**
 * Median ns per call of one flag. `expectedPerPool` is how many of the pool's contexts the
 * flag is on for; batches are whole passes over the pool, so each round's count is exact.
 */
export async function measure(
  ev: Evaluators,
  flag: FlagName,
  expectedPerPool: number,
  opts: TimingOptions = DEFAULT_TIMING,
): Promise<Timing> {
  const pool = ev.contexts.length;
  if ((pool & (pool - 1)) !== 0) throw new Error(`pool size ${pool} is not a power of two`);
  const fn = ev[flag] as Call;
  const loop = freshLoop(ev.mode);
  const run = async (n: number): Promise<number> => {
    const start = process.hrtime.bigint();
    const pending = loop(fn, ev.contexts, pool - 1, n);
    const hits = typeof pending === 'number' ? pending : await pending;
    const ns = Number(process.hrtime.bigint() - start);
    const expected = (n / pool) * expectedPerPool;
    if (hits !== expected) {
      throw new Error(`${flag}: ${hits} trues in ${n} calls, expected ${expected}: the timed path disagrees with the verified one`);
    }
    return ns;
  };

  // Warm up: double the batch while one takes under 5 ms, and keep going until warmupMs has
  // passed, so the JIT has settled before the batch size is derived from the call rate.
  globalThis.gc?.(); // when run with --expose-gc: start clean of the previous measurement's garbage
  let n = pool;
  let ns = await run(n);
  const warmupEnd = performance.now() + opts.warmupMs;
  while (performance.now() < warmupEnd || (ns < 5e6 && n < opts.maxBatch)) {
    if (ns < 5e6 && n < opts.maxBatch) n *= 2;
    ns = await run(n);
  }
  const wanted = Math.ceil((opts.targetRoundMs * 1e6 * n) / ns / pool) * pool;
  const batch = Math.min(opts.maxBatch, Math.max(opts.minBatch, wanted));
  await run(batch);

  const samples: number[] = [];
  for (let r = 0; r < opts.rounds; r++) samples.push((await run(batch)) / batch);
  samples.sort((a, b) => a - b);
  return { median: quantile(samples, 0.5), q1: quantile(samples, 0.25), q3: quantile(samples, 0.75), batch, rounds: opts.rounds };
}

/** Quantile of sorted samples, interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
