import { LatencySketch, type OutcomeSummary } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { callerCap } from './caller-cap.ts';
import type { IngestBatch } from './ingest-types.ts';
import { MetricWindows, PER_CALLER_MAX, type WindowSettings } from './metric-windows.ts';

const SETTINGS: WindowSettings = { windowSeconds: 60, browserMetrics: false, perCallerShare: 0.1 };
const OPTED_IN: WindowSettings = { ...SETTINGS, browserMetrics: true };
const T0 = 1_800_000_000_000; // a window boundary: 60,000 divides it

const summary = (variant: string, count: number, errors: number, latencyMs?: number): OutcomeSummary => {
  const s: OutcomeSummary = { flag: 'new-pdf-engine', variant, count, errors };
  if (latencyMs !== undefined) {
    const sketch = new LatencySketch();
    for (let i = 0; i < Math.min(count, 50); i++) sketch.add(latencyMs);
    s.latency = sketch.toJSON();
  }
  return s;
};
const batch = (over: Partial<IngestBatch> & Pick<IngestBatch, 'summaries'>): IngestBatch => ({
  environment: 'production',
  flag: 'new-pdf-engine',
  receivedAt: T0 + 1_000,
  source: 'server',
  caller: 'key:svc',
  ...over,
});
const rate = (a: { count: number; errors: number }) => a.errors / a.count;

/** 40 browsers, each 50 pages a window per variant at a 1% error rate: the honest traffic. */
function honestBrowsers(w: MetricWindows, settings: WindowSettings) {
  for (let i = 0; i < 40; i++) {
    for (const variant of ['on', 'off'])
      w.add(batch({ source: 'client', caller: `ip:${i}`, summaries: [summary(variant, 50, i % 2 === 0 ? 1 : 0)] }), settings);
  }
}

describe('MetricWindows', () => {
  it('aligns windows on server time and adds server outcomes to both aggregates', () => {
    const w = new MetricWindows();
    w.add(batch({ summaries: [summary('on', 10, 1, 20), summary('off', 90, 1, 10)] }), SETTINGS);
    w.add(batch({ receivedAt: T0 + 59_999, summaries: [summary('on', 5, 0, 30)] }), SETTINGS);
    w.add(batch({ receivedAt: T0 + 60_000, summaries: [summary('on', 1, 1)] }), SETTINGS);
    const [first, second] = w.windows();
    expect(first?.start).toBe(T0);
    expect(second?.start).toBe(T0 + 60_000);
    expect(first?.variants.on?.decision).toMatchObject({ count: 15, errors: 1 });
    expect(first?.variants.on?.display).toMatchObject({ count: 15, errors: 1 });
    expect(first?.variants.on?.decision.latency?.n).toBe(15);
    expect(first?.variants.off?.decision).toMatchObject({ count: 90, errors: 1 });
  });

  it('shows browser outcomes but keeps them out of decisions unless the plan opts in', () => {
    const w = new MetricWindows();
    w.add(batch({ summaries: [summary('on', 100, 1)] }), SETTINGS);
    w.add(batch({ source: 'client', caller: 'ip:a', summaries: [summary('on', 100, 100)] }), SETTINGS);
    const on = w.windows()[0]?.variants.on;
    expect(on?.decision).toMatchObject({ count: 100, errors: 1 });
    expect(on?.display).toMatchObject({ count: 200, errors: 101 });
  });

  it('a flood from one browser caller (1,000× the traffic, 100% errors, treatment only) moves the decision aggregate by at most its share', () => {
    const settings: WindowSettings = { ...OPTED_IN, perCallerMax: 1_000_000 };
    const honest = new MetricWindows();
    honestBrowsers(honest, settings);
    const flooded = new MetricWindows();
    honestBrowsers(flooded, settings);
    // 1,000× the whole honest treatment traffic, every one an error, in many batches.
    for (let i = 0; i < 100; i++)
      flooded.add(batch({ source: 'client', caller: 'ip:flood', summaries: [summary('on', 20_000, 20_000)] }), settings);

    const before = honest.windows()[0]?.variants.on?.decision as { count: number; errors: number };
    const after = flooded.windows()[0]?.variants.on?.decision as { count: number; errors: number };
    expect(flooded.windows()[0]?.variants.on?.display.count).toBe(2_000 + 2_000_000);
    // The flooder holds at most perCallerShare of the capped total, so at most share/(1 − share) more.
    const share = settings.perCallerShare;
    expect(after.count - before.count).toBeLessThanOrEqual(Math.ceil((share / (1 - share)) * before.count));
    expect(after.errors - before.errors).toBeLessThanOrEqual(after.count - before.count);
    expect(rate(after)).toBeLessThanOrEqual(rate(before) + share + 1e-9);
    // And control, which it did not touch, is unchanged.
    expect(flooded.windows()[0]?.variants.off?.decision).toEqual(honest.windows()[0]?.variants.off?.decision);
  });

  it('the same flood changes nothing that decides when browser metrics are off (the default)', () => {
    const w = new MetricWindows();
    w.add(batch({ summaries: [summary('on', 500, 5), summary('off', 500, 5)] }), SETTINGS);
    const before = w.windows()[0]?.variants;
    for (let i = 0; i < 100; i++)
      w.add(batch({ source: 'client', caller: 'ip:flood', summaries: [summary('on', 1_000_000, 1_000_000)] }), SETTINGS);
    expect(w.windows()[0]?.variants.on?.decision).toEqual(before?.on?.decision);
    expect(w.windows()[0]?.variants.off?.decision).toEqual(before?.off?.decision);
  });

  it('holds each browser caller to the absolute cap even when it is within its share', () => {
    const w = new MetricWindows();
    w.add(batch({ summaries: [summary('on', 1_000_000, 0)] }), OPTED_IN);
    w.add(batch({ source: 'client', caller: 'ip:big', summaries: [summary('on', 50_000, 50_000)] }), OPTED_IN);
    expect(w.windows()[0]?.variants.on?.decision).toMatchObject({ count: 1_000_000 + PER_CALLER_MAX, errors: PER_CALLER_MAX });
  });

  it('keeps the caps after the window closes and its callers are dropped', () => {
    const w = new MetricWindows();
    honestBrowsers(w, OPTED_IN);
    w.add(batch({ source: 'client', caller: 'ip:flood', summaries: [summary('on', 100_000, 100_000)] }), OPTED_IN);
    const open = w.windows()[0]?.variants.on?.decision;
    w.add(batch({ receivedAt: T0 + 180_000, summaries: [summary('on', 1, 0)] }), OPTED_IN);
    const stored = w.toJSON().windows[0];
    expect(stored?.closed).toBe(true);
    expect(stored?.callers).toEqual({});
    expect(w.windows()[0]?.variants.on?.decision).toEqual(open);
  });

  it('survives storage: from(JSON) answers the same windows and keeps adding', () => {
    const w = new MetricWindows();
    honestBrowsers(w, OPTED_IN);
    w.add(batch({ summaries: [summary('on', 10, 1, 12)] }), OPTED_IN);
    const back = MetricWindows.from(JSON.parse(JSON.stringify(w)));
    expect(back.windows()).toEqual(w.windows());
    back.add(batch({ summaries: [summary('on', 10, 1, 12)] }), OPTED_IN);
    expect(back.windows()[0]?.variants.on?.display.count).toBe((w.windows()[0]?.variants.on?.display.count ?? 0) + 10);
  });

  it('keeps at most a week of windows, merging the oldest so release totals are kept', () => {
    const settings: WindowSettings = { ...SETTINGS, windowSeconds: 3600 }; // 168 windows a week
    const w = new MetricWindows();
    for (let h = 0; h < 200; h++) w.add(batch({ receivedAt: T0 + h * 3_600_000, summaries: [summary('on', 10, 1)] }), settings);
    const windows = w.windows();
    expect(windows).toHaveLength(168);
    expect(windows[0]?.start).toBe(T0);
    expect(windows.reduce((t, x) => t + (x.variants.on?.decision.count ?? 0), 0)).toBe(2_000);
    // Older than every kept window, once full: dropped, and said so.
    expect(w.add(batch({ receivedAt: T0 - 3_600_000, summaries: [summary('on', 1, 0)] }), settings)).toEqual({ accepted: 0, dropped: 1 });
  });

  it('inserts a late window in time order', () => {
    const w = new MetricWindows();
    w.add(batch({ receivedAt: T0 + 120_000, summaries: [summary('on', 1, 0)] }), SETTINGS);
    w.add(batch({ receivedAt: T0, summaries: [summary('on', 1, 0)] }), SETTINGS);
    expect(w.windows().map((x) => x.start)).toEqual([T0, T0 + 120_000]);
  });
});

describe('callerCap', () => {
  it('caps nobody when every caller is within its share', () => {
    expect(callerCap(Array(20).fill(5), 0.1, 0, 1e9)).toBe(1e9);
  });

  it('holds a flooder to its share of the capped total: c = share·(others)/(1 − share)', () => {
    expect(callerCap([1e6, ...Array(20).fill(100)], 0.1, 0, 1e9)).toBeCloseTo((0.1 * 2_000) / 0.9, 9);
    expect(callerCap([1e6], 0.1, 9_000, 1e9)).toBeCloseTo(1_000, 9);
  });

  it('lets no caller decide alone: fewer than 1/share callers and nothing else caps everyone to 0', () => {
    expect(callerCap([100, 100, 100], 0.1, 0, 1e9)).toBe(0);
  });
});
