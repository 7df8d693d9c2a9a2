import { compileSnapshot, type EvaluationContext, type EvaluationResult } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { type ExposureEvent, ExposureRecorder, MAX_BODY_BYTES, type SendEvents } from './exposures.ts';
import type { ExposureOptions } from './options.ts';

const snap = compileSnapshot({
  environment: 'test',
  version: 1,
  flags: [
    {
      key: 'new-pdf-engine',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      bucketBy: 'accountId',
      defaultServe: {
        split: [
          { variant: 'on', weight: 50 },
          { variant: 'off', weight: 50 },
        ],
      },
    },
    {
      key: 'maintenance-mode',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: false,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
});

// As the client derives it: new-pdf-engine buckets by account, the rest by user.
const bucketBy = (flag: string): string => (flag === 'new-pdf-engine' ? 'accountId' : 'targetingKey');

function recorder(options: ExposureOptions = {}, send?: SendEvents) {
  const bodies: ExposureEvent[][] = [];
  const sizes: number[] = [];
  const fallback: SendEvents = async (body) => {
    sizes.push(Buffer.byteLength(body));
    bodies.push((JSON.parse(body) as { events: ExposureEvent[] }).events);
    return new Response('{"accepted":1}', { status: 202 });
  };
  const silent = { warn() {}, error() {} };
  const rec = new ExposureRecorder({ flushIntervalMs: 600_000, ...options }, bucketBy, send ?? fallback, silent, 5_000);
  const evalAndRecord = (key: string, ctx: EvaluationContext): EvaluationResult => {
    const r = snap.evaluate(key, ctx);
    rec.record(r, ctx);
    return r;
  };
  return { rec, bodies, sizes, evalAndRecord, events: () => bodies.flat() };
}

describe('ExposureRecorder', () => {
  it('reports each flag + variant + context key once', async () => {
    const { rec, evalAndRecord, events } = recorder();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i}`, userId: `u-${round}` });
    }
    evalAndRecord('maintenance-mode', { accountId: 'acct-1', userId: 'u-0' });
    await rec.close();
    const sent = events();
    expect(sent).toHaveLength(21);
    expect(new Set(sent.map((e) => `${e.flag}/${e.contextKey}`)).size).toBe(21);
    expect(sent.find((e) => e.flag === 'maintenance-mode')).toMatchObject({ variant: 'off', reason: 'DISABLED', contextKey: 'u-0' });
    expect(sent.every((e) => typeof e.at === 'number' && e.context === undefined)).toBe(true);
    expect(rec.stats()).toEqual({ sent: 21, dropped: 0, queued: 0 });
  });

  it('skips contexts without a usable key, and reports errors once, without a variant', async () => {
    const { rec, evalAndRecord, events } = recorder();
    evalAndRecord('new-pdf-engine', {});
    evalAndRecord('new-pdf-engine', { accountId: { id: 1 } as unknown as string });
    evalAndRecord('new-pdf-engine', { accountId: '' });
    evalAndRecord('new-pdf-engine', { accountId: 'x'.repeat(257) });
    evalAndRecord('maintenance-mode', { accountId: 'no-user' });
    for (let i = 0; i < 3; i++) evalAndRecord('new-pdf-engine', { userId: 'u-1' });
    await rec.close();
    expect(events()).toEqual([{ flag: 'new-pdf-engine', reason: 'ERROR', contextKey: 'u-1', at: expect.any(Number) }]);
  });

  it('sends a batch as soon as batchSize events are waiting, without waiting for the timer', async () => {
    const { rec, evalAndRecord, bodies } = recorder({ batchSize: 5 });
    for (let i = 0; i < 12; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    rec.drain();
    await new Promise((r) => setImmediate(r));
    expect(bodies.length).toBeGreaterThanOrEqual(1);
    expect(bodies[0]).toHaveLength(5);
    await rec.close();
    expect(bodies.flat()).toHaveLength(12);
  });

  it('bounds the queue: events beyond maxQueue are dropped and counted, and can be reported later', async () => {
    const { rec, evalAndRecord, events } = recorder({ maxQueue: 3 });
    for (let i = 0; i < 10; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    rec.drain();
    expect(rec.stats()).toMatchObject({ queued: 3, dropped: 7 });
    await rec.close();
    expect(events()).toHaveLength(3);
    // Dropped triples were not remembered as seen, so a later evaluation is reported.
    const again = recorder({ maxQueue: 3 });
    for (let i = 0; i < 10; i++) again.evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    again.rec.drain();
    await again.rec.flush();
    for (let i = 0; i < 10; i++) again.evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    await again.rec.close();
    expect(again.events()).toHaveLength(6);
  });

  it('bounds the dedupe memory: the least recently seen triple is forgotten first', async () => {
    const { rec, evalAndRecord, events } = recorder({ dedupeSize: 4 });
    evalAndRecord('new-pdf-engine', { accountId: 'a' });
    evalAndRecord('new-pdf-engine', { accountId: 'b' });
    evalAndRecord('new-pdf-engine', { accountId: 'a' }); // refreshes a
    evalAndRecord('new-pdf-engine', { accountId: 'c' }); // evicts b
    evalAndRecord('new-pdf-engine', { accountId: 'a' }); // still remembered
    evalAndRecord('new-pdf-engine', { accountId: 'b' }); // reported again
    await rec.close();
    expect(events().map((e) => e.contextKey)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('drops batches rather than blocking when the edge is unreachable, and close() gives up in time', async () => {
    let calls = 0;
    const hang: SendEvents = (_body, signal) => {
      calls++;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    };
    const { rec, evalAndRecord } = recorder({ batchSize: 2 }, hang);
    for (let i = 0; i < 6; i++) {
      // Recording stays synchronous and returns nothing to await while requests hang.
      expect(rec.record(snap.evaluate('new-pdf-engine', { accountId: `x-${i}` }), { accountId: `x-${i}` })).toBeUndefined();
      evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    }
    rec.drain();
    await rec.close(200);
    expect(calls).toBe(1);
    expect(rec.stats()).toMatchObject({ sent: 0, queued: 0, dropped: 12 });
  });

  it('pauses after a 404 (a Worker without the events endpoint) instead of retrying every flush', async () => {
    let calls = 0;
    const notFound: SendEvents = async () => {
      calls++;
      return new Response('{"error":{"code":"not_found"}}', { status: 404 });
    };
    const { rec, evalAndRecord } = recorder({ batchSize: 1 }, notFound);
    for (let i = 0; i < 5; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i}` });
    rec.drain();
    await rec.flush();
    await rec.flush();
    await rec.close();
    expect(calls).toBe(1);
    expect(rec.stats()).toMatchObject({ sent: 0, dropped: 5, queued: 0 });
  });

  it('sends contexts only when asked, and keeps every request under the Worker’s 32 KB limit', async () => {
    const { rec, evalAndRecord, events, sizes } = recorder({ sendContext: true });
    const padding = 'x'.repeat(900);
    for (let i = 0; i < 200; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i}`, note: padding });
    await rec.close();
    expect(events()).toHaveLength(200);
    expect(events()[0]!.context).toEqual({ accountId: 'acct-0', note: padding });
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('sends only what the Worker’s context schema accepts', async () => {
    const { rec, evalAndRecord, events } = recorder({ sendContext: true });
    const ctx = { accountId: 'acct-1', big: 'y'.repeat(2000), nested: { a: 1 }, list: [1, 'a', { b: 2 }], nan: Number.NaN, ok: null };
    evalAndRecord('new-pdf-engine', ctx as unknown as EvaluationContext);
    await rec.close();
    expect(events()[0]!.context).toEqual({ accountId: 'acct-1', big: 'y'.repeat(1024), list: [1, 'a'], ok: null });
  });

  it('drains a full ring on the next event-loop turn, not inside the evaluation that filled it', async () => {
    const { rec, evalAndRecord } = recorder();
    for (let i = 0; i <= 8192; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i % 100}` });
    expect(rec.stats().queued).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(rec.stats().queued).toBe(100);
    await rec.close();
  });

  it('handles more evaluations than its ring holds between drains', async () => {
    const { rec, evalAndRecord, events } = recorder();
    for (let i = 0; i < 20_000; i++) evalAndRecord('new-pdf-engine', { accountId: `acct-${i % 3000}` });
    await rec.close();
    expect(events()).toHaveLength(3000);
  });
});
