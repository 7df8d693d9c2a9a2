import { LatencySketch } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../plan-schema.ts';
import { DEFAULT_SETTINGS } from '../plan-schema.ts';
import type { VariantAggregate } from '../types.ts';
import { decideFromTotals, decideStage } from './decide-stage.ts';
import { StageTotals } from './stage-totals.ts';
import type { StageInput, StageWindow } from './types.ts';

const MIN = 60_000;
const stage = (over: Partial<Stage> = {}): Stage => ({
  percentage: 5,
  minDurationSeconds: 0,
  approval: 'auto',
  minSamples: 0,
  checks: { errorRate: { maxRatio: 2 } },
  ...over,
});
const variant = (count: number, errors: number, over: Partial<VariantAggregate> = {}): VariantAggregate => ({
  count,
  errors,
  latency: null,
  events: {},
  ...over,
});
/** `n` one-minute windows from t = 0, each with the same counts. */
const windows = (n: number, t: VariantAggregate, c: VariantAggregate, from = 0): StageWindow[] =>
  Array.from({ length: n }, (_, i) => ({ start: from + i * MIN, treatment: t, control: c }));
const input = (ws: StageWindow[], over: Partial<StageInput> = {}): StageInput => ({
  stage: stage(),
  settings: DEFAULT_SETTINGS,
  stageIndex: 0,
  lastStage: false,
  elapsedMs: ws.length * MIN,
  stageStartedAt: 0,
  windows: ws,
  approved: false,
  ...over,
});
// Healthy: treatment errs at control's rate (1%), 5% of traffic; enough windows to accept.
const healthy = (n = 120) => windows(n, variant(50, 0), variant(950, 10)).map((w, i) => (i % 2 ? w : { ...w, treatment: variant(50, 1) }));

describe('decideStage', () => {
  it("rolls back when treatment errs 3× as often as control, before any minimum (seed 001's incident)", () => {
    const d = decideStage(
      input(windows(10, variant(50, 2), variant(950, 13)), { stage: stage({ minSamples: 10_000, minDurationSeconds: 86_400 }) }),
    );
    expect(d).toMatchObject({ action: 'rollback', rule: 'error_ratio' });
    expect(d.evidence.sprt.llr).toBeGreaterThanOrEqual(d.evidence.sprt.upper);
    expect(d.evidence.sprt.upper).toBeCloseTo(Math.log(40), 9);
  });

  it('advances a healthy stage once the ratio test says healthy, with samples and duration met', () => {
    const d = decideStage(input(healthy(), { stage: stage({ minSamples: 1000, minDurationSeconds: 3600 }) }));
    expect(d).toMatchObject({ action: 'advance', rule: 'healthy' });
    expect(d.evidence.sprt.status).toBe('accepted');
    expect(d.evidence.sprt.llr).toBeLessThanOrEqual(d.evidence.sprt.lower);
  });

  it('holds for data while the ratio test is between its bounds', () => {
    const d = decideStage(input(healthy(6)));
    expect(d).toMatchObject({ action: 'hold', rule: 'error_ratio_undecided' });
  });

  it('holds until each variant has the minimum samples, then for the minimum duration', () => {
    expect(decideStage(input(healthy(), { stage: stage({ minSamples: 100_000 }) })).rule).toBe('min_samples');
    expect(decideStage(input(healthy(), { stage: stage({ minDurationSeconds: 86_400 }) }))).toMatchObject({
      action: 'hold',
      rule: 'min_duration',
    });
  });

  it('waits at a manual gate until approved', () => {
    const manual = stage({ approval: 'manual' });
    expect(decideStage(input(healthy(), { stage: manual }))).toMatchObject({ action: 'wait_approval', rule: 'manual_approval' });
    expect(decideStage(input(healthy(), { stage: manual, approved: true })).action).toBe('advance');
  });

  it('completes the last stage, where no control is left and only absolute checks apply', () => {
    const last = stage({ percentage: 100, checks: { errorRate: { max: 0.05, maxRatio: 2 } } });
    const d = decideStage(input(windows(5, variant(1000, 10), variant(0, 0)), { stage: last, lastStage: true, stageIndex: 3 }));
    expect(d).toMatchObject({ action: 'complete', rule: 'last_stage' });
    expect(d.evidence.sprt.status).toBe('no_control');
    const spike = decideStage(input(windows(5, variant(1000, 100), variant(0, 0)), { stage: last, lastStage: true, stageIndex: 3 }));
    expect(spike).toMatchObject({ action: 'hold', rule: 'error_rate_max' });
  });

  it('passes the ratio test when neither variant had an error (nothing to compare)', () => {
    const d = decideStage(input(windows(30, variant(50, 0), variant(950, 0)), { stage: stage({ minSamples: 1000 }) }));
    expect(d).toMatchObject({ action: 'advance', rule: 'healthy' });
    expect(d.evidence.sprt.status).toBe('no_errors');
  });

  it('holds, never rolls back, on an absolute error rate above the maximum', () => {
    const d = decideStage(input(healthy(), { stage: stage({ checks: { errorRate: { max: 0.005, maxRatio: 2 } } }) }));
    expect(d).toMatchObject({ action: 'hold', rule: 'error_rate_max' });
    expect(d.evidence.checks[0]).toMatchObject({ status: 'fail', threshold: 0.005 });
  });

  it('holds on a p95 latency regression against control, and on a check with no latency data', () => {
    const sketch = (ms: number) => {
      const s = new LatencySketch();
      for (let i = 0; i < 100; i++) s.add(ms * (1 + i / 100));
      return s.toJSON();
    };
    const slow = stage({ checks: { errorRate: { maxRatio: 2 }, latencyP95: { maxRatio: 1.2 } } });
    const ws = healthy().map((w) => ({
      ...w,
      treatment: { ...w.treatment, latency: sketch(300) },
      control: { ...w.control, latency: sketch(200) },
    }));
    const d = decideStage(input(ws, { stage: slow }));
    expect(d).toMatchObject({ action: 'hold', rule: 'latency_p95_ratio' });
    expect(d.evidence.checks.find((c) => c.rule === 'latency_p95_ratio')?.observed).toBeCloseTo(1.5, 1);
    const same = healthy().map((w) => ({
      ...w,
      treatment: { ...w.treatment, latency: sketch(200) },
      control: { ...w.control, latency: sketch(200) },
    }));
    expect(decideStage(input(same, { stage: slow })).action).toBe('advance');
    const untimed = decideStage(input(healthy(), { stage: slow }));
    expect(untimed).toMatchObject({ action: 'hold', rule: 'latency_p95_ratio' });
    expect(untimed.evidence.checks.find((c) => c.rule === 'latency_p95_ratio')?.status).toBe('waiting');
  });

  it('holds when a business event per request falls below its minimum ratio to control', () => {
    const events = stage({ checks: { errorRate: { maxRatio: 2 }, events: [{ name: 'invoice-created', minRatio: 0.9 }] } });
    const withEvents = (t: number, c: number) =>
      healthy().map((w) => ({
        ...w,
        treatment: { ...w.treatment, events: { 'invoice-created': { count: t, sum: t } } },
        control: { ...w.control, events: { 'invoice-created': { count: c, sum: c } } },
      }));
    const d = decideStage(input(withEvents(5, 190), { stage: events }));
    expect(d).toMatchObject({ action: 'hold', rule: 'event_ratio' });
    expect(d.evidence.checks.find((c) => c.rule === 'event_ratio')?.observed).toBeCloseTo(0.5, 6);
    expect(decideStage(input(withEvents(10, 190), { stage: events })).action).toBe('advance');
  });

  it("leaves out windows from before the stage started (an earlier stage's errors)", () => {
    const earlier = windows(10, variant(50, 5), variant(950, 10), -10 * MIN);
    const ws = [...earlier, ...healthy()];
    expect(decideStage(input(ws, { elapsedMs: 120 * MIN })).action).toBe('advance');
    expect(decideStage(input(ws, { stageStartedAt: -10 * MIN })).action).toBe('rollback');
    // Without stageStartedAt: the stage began elapsedMs before the end of the last window.
    expect(decideStage(input(ws, { stageStartedAt: undefined, elapsedMs: 120 * MIN })).action).toBe('advance');
  });

  it('gives evidence that survives JSON unchanged (no Infinity, NaN or undefined)', () => {
    for (const ws of [healthy(), windows(3, variant(10, 3), variant(10, 0)), []]) {
      const { evidence } = decideStage(input(ws));
      expect(JSON.parse(JSON.stringify(evidence))).toEqual(evidence);
    }
  });

  it('decides the same from windows as from counts summed one window at a time (the simulation path)', () => {
    const ws = windows(40, variant(50, 1), variant(950, 9));
    const totals = new StageTotals(2);
    for (const w of ws) totals.addCounts(w.treatment.count, w.treatment.errors, w.control.count, w.control.errors);
    const { windows: _, ...rest } = input(ws);
    expect(decideFromTotals(rest, totals)).toEqual(decideStage(input(ws)));
  });
});
