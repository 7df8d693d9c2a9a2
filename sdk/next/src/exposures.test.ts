import { describe, expect, it } from 'vitest';
import { chunkExposures, ExposureQueue, MAX_BODY_CHARS, MAX_EVENTS_PER_REQUEST } from './exposures.ts';
import type { Exposure } from './types.ts';

function recorder(status = 202) {
  const bodies: Array<{ events: Exposure[] }> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    if (status === 0) throw new TypeError('fetch failed');
    bodies.push(JSON.parse(String(init.body)));
    return new Response(null, { status });
  }) as typeof globalThis.fetch;
  return { bodies, fetch };
}

const exposure = (contextKey: string, variant = 'treatment'): Exposure => ({
  flag: 'redesigned-dashboard',
  variant,
  reason: 'SPLIT',
  contextKey,
  at: 1,
});

function queue(fetch: typeof globalThis.fetch, extra: Partial<ConstructorParameters<typeof ExposureQueue>[0]> = {}) {
  const errors: unknown[] = [];
  const q = new ExposureQueue({
    url: () => 'http://edge',
    serverKey: () => 'efs_x',
    fetch,
    flushDelayMs: 10,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { q, errors };
}

describe('exposure queue', () => {
  it('batches exposures and sends one per visitor and variant', async () => {
    const { bodies, fetch } = recorder();
    const { q } = queue(fetch);
    const flushed = q.record(exposure('a'));
    expect(q.record(exposure('b'))).toBe(flushed); // same batch
    expect(q.record(exposure('a'))).toBeUndefined(); // deduplicated
    await flushed;
    expect(bodies).toEqual([{ events: [exposure('a'), exposure('b')] }]);
    await q.record(exposure('a', 'control')); // a new variant is a new exposure
    expect(bodies[1]!.events).toEqual([exposure('a', 'control')]);
  });

  it('drops, never throws, when the Worker is unreachable, and sends the same exposure again later', async () => {
    const down = recorder(0);
    const { q, errors } = queue(down.fetch);
    await expect(q.record(exposure('a'))).resolves.toBeUndefined();
    expect(q.dropped).toBe(1);
    expect(errors).toHaveLength(1);
    expect(q.record(exposure('a'))).toBeDefined(); // forgotten after the failure, so not deduplicated
  });

  it('bounds the queue: past maxQueue new exposures are dropped', async () => {
    const { bodies, fetch } = recorder();
    const { q } = queue(fetch, { maxQueue: 2, flushDelayMs: 50 });
    const flushed = q.record(exposure('a'));
    q.record(exposure('b'));
    expect(q.record(exposure('c'))).toBeUndefined();
    expect(q.dropped).toBe(1);
    await flushed;
    expect(bodies[0]!.events.map((e) => e.contextKey)).toEqual(['a', 'b']);
  });

  it('splits batches within the Worker limits (500 events, 64 KiB)', () => {
    const many = Array.from({ length: 1_200 }, (_, i) => exposure(`visitor-${i}`));
    expect(chunkExposures(many).chunks.map((c) => c.length)).toEqual([500, 500, 200]);
    const fat = Array.from({ length: 40 }, (_, i) => ({ ...exposure(`v${i}`), context: { note: 'x'.repeat(4_000) } }));
    const { chunks } = chunkExposures(fat);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(JSON.stringify({ events: c }).length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(chunks.flat()).toHaveLength(40);
    expect(chunkExposures([{ ...exposure('huge'), context: { note: 'x'.repeat(MAX_BODY_CHARS) } }]).tooLarge).toBe(1);
    expect(MAX_EVENTS_PER_REQUEST).toBe(500);
  });

  it('forgets the oldest visitors past maxRemembered', async () => {
    const { fetch } = recorder();
    const { q } = queue(fetch, { maxRemembered: 2 });
    q.record(exposure('a'));
    q.record(exposure('b'));
    await q.record(exposure('c'));
    expect(q.record(exposure('a'))).toBeDefined();
    expect(q.record(exposure('c'))).toBeUndefined();
  });
});
