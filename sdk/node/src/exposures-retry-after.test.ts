import { compileSnapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { ExposureRecorder, type SendEvents } from './exposures.ts';

// Issue 9 §3: an events post refused 429 waits out the edge's Retry-After, not just one flush interval.
const snap = compileSnapshot({
  environment: 'test',
  version: 1,
  flags: [
    { key: 'f', kind: 'boolean', variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
  ],
});

describe('ExposureRecorder and 429 Retry-After', () => {
  it('sends nothing before Retry-After when it is longer than the flush interval', async () => {
    let posts = 0;
    const send: SendEvents = async () =>
      ++posts === 1
        ? new Response(null, { status: 429, headers: { 'Retry-After': '2' } })
        : new Response('{"accepted":1}', { status: 202 });
    const silent = { warn() {}, error() {} };
    const rec = new ExposureRecorder({ flushIntervalMs: 100 }, () => 'targetingKey', send, silent, 5_000);
    rec.record(snap.evaluate('f', { targetingKey: 'u1' }), { targetingKey: 'u1' });
    rec.drain();
    await rec.flush();
    expect(posts).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    rec.record(snap.evaluate('f', { targetingKey: 'u2' }), { targetingKey: 'u2' });
    rec.drain();
    await rec.flush();
    expect(posts).toBe(1);
    await rec.close();
  });
});
