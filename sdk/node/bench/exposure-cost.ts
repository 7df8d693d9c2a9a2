/**
 * What exposure recording costs on the evaluation path, split in two: the hot-path `record()`
 * (a ring write) and the drain that deduplicates, which runs in the background: every 250 ms,
 * or on the next event-loop turn when a ring fills. Only a caller that fills both rings
 * without yielding (a benchmark loop) pays for a drain inline. Medians of 300 rounds.
 *
 *   PATH=$PWD/node_modules/.bin:$PATH node --expose-gc sdk/node/bench/exposure-cost.ts
 */
import { compileSnapshot, type EvaluationContext, type EvaluationResult } from '@edgeflags/core';
import { ExposureRecorder } from '../src/exposures.ts';

const snap = compileSnapshot({
  environment: 'bench',
  version: 1,
  flags: [
    {
      key: 'rule-rollout',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [
        {
          conditions: [{ attribute: 'country', op: 'in', values: ['US', 'GB'] }],
          serve: {
            split: [
              { variant: 'on', weight: 50 },
              { variant: 'off', weight: 50 },
            ],
          },
        },
      ],
      defaultServe: { variant: 'off' },
    },
  ],
});
const flag = snap.flag('rule-rollout')!;
const POOL = 8192;
const contexts: EvaluationContext[] = Array.from({ length: POOL }, (_, i) => ({
  targetingKey: `user-${i.toString(36)}`,
  country: i % 2 ? 'US' : 'DE',
}));
const results: EvaluationResult[] = contexts.map((c) => flag.evaluate(c));
const recorder = new ExposureRecorder(
  { flushIntervalMs: 3_600_000, dedupeSize: 100_000 },
  () => 'targetingKey',
  async () => new Response(null, { status: 202 }),
  { warn() {}, error() {} },
  1000,
);

// One ring's worth of records (no drain can trigger inside), then the drain of exactly those.
function recordOnly(): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < POOL; i++) recorder.record(results[i]!, contexts[i]!);
  return Number(process.hrtime.bigint() - t) / POOL;
}
function drainOnly(): number {
  const t = process.hrtime.bigint();
  recorder.drain();
  return Number(process.hrtime.bigint() - t) / POOL;
}
function evaluateOnly(): number {
  const t = process.hrtime.bigint();
  let hits = 0;
  for (let i = 0; i < POOL; i++) if (flag.evaluate(contexts[i]!).value === true) hits++;
  if (hits === -1) console.log(hits);
  return Number(process.hrtime.bigint() - t) / POOL;
}

const samples = { evaluate: [] as number[], record: [] as number[], drain: [] as number[] };
for (let round = 0; round < 400; round++) {
  const e = evaluateOnly();
  const r = recordOnly();
  const d = drainOnly();
  if (round >= 100) {
    samples.evaluate.push(e);
    samples.record.push(r);
    samples.drain.push(d);
  }
}
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`rule + rollout evaluate (core)       ${median(samples.evaluate).toFixed(1)} ns/op`);
console.log(`record() on the hot path            +${median(samples.record).toFixed(1)} ns/op`);
console.log(`drain (dedupe, all already seen)    +${median(samples.drain).toFixed(1)} ns/op (background, between requests)`);
await recorder.close(0);
