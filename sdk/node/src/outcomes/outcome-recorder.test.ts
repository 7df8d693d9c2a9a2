import { LatencySketch, METRICS_LIMITS, type MetricsPayload } from '@edgeflags/core';
import { MetricsPayloadSchema } from '@edgeflags/core/schema';
import { describe, expect, it } from 'vitest';
import { metricsBodies, OutcomeRecorder, retryAfterMs } from './outcome-recorder.ts';
import { OutcomeTable } from './outcome-table.ts';

const SILENT = { warn() {}, error() {} };

/** A Worker stand-in for transport faults only: answers from a script, keeps the bodies it took. */
function scriptedSend(answers: (() => Response)[]) {
  const bodies: MetricsPayload[] = [];
  const send = async (body: string) => {
    bodies.push(JSON.parse(body));
    return (answers.shift() ?? (() => new Response(null, { status: 202 })))();
  };
  return { send, bodies };
}

describe('OutcomeTable', () => {
  it('pre-aggregates per flag × variant: counts, errors, a latency sketch and event totals', () => {
    const t = new OutcomeTable(100, 0);
    for (let i = 0; i < 1000; i++)
      t.record('new-pdf-engine', i % 2 ? 'on' : 'off', i % 100, i % 10 === 0, new Map([['invoice-created', { count: 1, sum: 2 }]]));
    const { summaries, windowMs } = t.take(10_000);
    expect(windowMs).toBe(10_000);
    expect(summaries).toHaveLength(2);
    const on = summaries.find((s) => s.variant === 'on')!;
    expect(on).toMatchObject({ flag: 'new-pdf-engine', count: 500, errors: 0, events: { 'invoice-created': { count: 500, sum: 1000 } } });
    expect(summaries.find((s) => s.variant === 'off')!.errors).toBe(100);
    expect(LatencySketch.from(on.latency!).quantile(0.95)).toBeGreaterThan(90);
    expect(MetricsPayloadSchema.safeParse({ windowMs, summaries }).success).toBe(true);
    expect(t.size).toBe(0);
  });

  it('stays bounded under 1e6 distinct cells and 1e6 distinct event names, counting what it dropped', () => {
    const t = new OutcomeTable(50, 0);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) t.record(`flag-${i}`, 'on', 1, false, undefined);
    for (let i = 0; i < 1_000_000; i++) t.event('flag-0', 'on', `event-${i}`, 1);
    expect(t.stats()).toEqual({ cells: 50, dropped: 1_000_000 - 50 + 1_000_000 - METRICS_LIMITS.eventNames });
    const { summaries } = t.take(1);
    expect(Object.keys(summaries[0]!.events!)).toHaveLength(METRICS_LIMITS.eventNames);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses more than the per-summary count and says the window is full', () => {
    const t = new OutcomeTable(10, 0);
    for (let i = 0; i < METRICS_LIMITS.count + 5; i++) t.record('f', 'on', undefined, false, undefined);
    expect(t.full).toBe(true);
    expect(t.stats().dropped).toBe(5);
    expect(t.take(1).summaries[0]!.count).toBe(METRICS_LIMITS.count);
  });
});

describe('metricsBodies', () => {
  it('splits a window into bodies of at most 200 summaries, each valid for the edge', () => {
    const summaries = Array.from({ length: 450 }, (_, i) => ({ flag: `f${i}`, variant: 'on', count: 1, errors: 0 }));
    const { bodies, tooBig } = metricsBodies(10_000, summaries);
    expect(bodies.map((b) => b.summaries.length)).toEqual([200, 200, 50]);
    expect(tooBig).toEqual([]);
    for (const b of bodies) expect(MetricsPayloadSchema.safeParse(JSON.parse(b.body)).success).toBe(true);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and caps both at 10 minutes', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(retryAfterMs('86400', 0)).toBe(600_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});

describe('OutcomeRecorder', () => {
  it('honours 429 Retry-After: nothing is sent before it, and the refused window goes out once, merged', async () => {
    let now = 0;
    const { send, bodies } = scriptedSend([() => new Response(null, { status: 429, headers: { 'Retry-After': '30' } })]);
    const r = new OutcomeRecorder({ flushIntervalMs: 10_000 }, send, SILENT, 1000, () => now);
    r.record('f', 'on', 5, false);
    now = 10_000;
    await r.flush();
    expect(bodies).toHaveLength(1);
    expect(r.stats()).toMatchObject({ sent: 0, cells: 1, pausedUntil: 40_000 });
    r.record('f', 'on', 7, true);
    now = 20_000;
    await r.flush();
    expect(bodies).toHaveLength(1);
    now = 40_000;
    await r.flush();
    expect(bodies).toHaveLength(2);
    // Both requests, counted once, over the whole time they waited.
    expect(bodies[1]).toMatchObject({ windowMs: 40_000, summaries: [{ flag: 'f', variant: 'on', count: 2, errors: 1 }] });
    expect(r.stats()).toMatchObject({ sent: 1, dropped: 0, pausedUntil: undefined });
    await r.close();
  });

  it('backs off without Retry-After on 5xx and network errors, and drops what the edge refuses (422)', async () => {
    let now = 0;
    const { send, bodies } = scriptedSend([
      () => new Response(null, { status: 503 }),
      () => {
        throw new TypeError('fetch failed');
      },
      () => new Response('{"error":{"code":"rule_violation"}}', { status: 422 }),
    ]);
    const r = new OutcomeRecorder({ flushIntervalMs: 1_000 }, send, SILENT, 1000, () => now);
    r.record('f', 'on', 5, false);
    await r.flush();
    const first = r.stats().pausedUntil!;
    expect(first).toBeGreaterThanOrEqual(500);
    now = first;
    await r.flush();
    const second = r.stats().pausedUntil!;
    expect(second - first).toBeGreaterThanOrEqual(1000);
    now = second;
    await r.flush();
    expect(bodies).toHaveLength(3);
    expect(r.stats()).toMatchObject({ sent: 0, dropped: 1, cells: 0 });
    await r.close();
  });

  it('never makes a caller wait: recording while a send hangs returns at once, and close() gives up in time', async () => {
    const hung = () => new Promise<Response>(() => {});
    const r = new OutcomeRecorder({}, hung, SILENT, 60_000);
    r.record('f', 'on', 1, false);
    void r.flush();
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) r.record('f', 'on', 1, false);
    expect(performance.now() - started).toBeLessThan(1000);
    const closing = performance.now();
    await r.close(200);
    expect(performance.now() - closing).toBeLessThan(2000);
  });
});
