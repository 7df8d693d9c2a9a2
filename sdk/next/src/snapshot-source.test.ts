import type { Snapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { SnapshotSource } from './snapshot-source.ts';

const snap = (version: number, enabled = true): Snapshot => ({
  environment: 'development',
  version,
  flags: [
    { key: 'ai-chatbot', kind: 'boolean', variants: { on: true, off: false }, enabled, offVariant: 'off', defaultServe: { variant: 'on' } },
  ],
});

/** A scripted Worker transport: each call takes the next answer (a snapshot, a status, an error, or a never-settling hang). */
function transport(answers: Array<Snapshot | number | 'fail' | 'hang'>) {
  const calls: Array<Record<string, string>> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    calls.push({ ...(init.headers as Record<string, string>) });
    const next = answers.shift() ?? 'fail';
    if (next === 'fail') throw new TypeError('fetch failed');
    if (next === 'hang') return new Promise<Response>(() => {});
    if (typeof next === 'number') return new Response(null, { status: next });
    return Response.json(next, { headers: { etag: `"v${next.version}"` } });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

function source(fetch: typeof globalThis.fetch, clock: { t: number }) {
  const errors: unknown[] = [];
  const s = new SnapshotSource({
    url: () => 'http://edge',
    serverKey: () => 'efs_x',
    revalidateMs: 1_000,
    initialTimeoutMs: 50,
    fetchTimeoutMs: 1_000,
    fetch,
    onError: (e) => errors.push(e),
    now: () => clock.t,
  });
  return { s, errors };
}

const chatbot = async (s: SnapshotSource) => (await s.read()).snapshot?.evaluate('ai-chatbot', {}).value;

describe('snapshot source (stale-while-revalidate)', () => {
  it('waits for the first snapshot on a cold start, then revalidates with the ETag at most every revalidateMs', async () => {
    const clock = { t: 0 };
    const { calls, fetch } = transport([snap(1), 304, snap(2, false)]);
    const { s } = source(fetch, clock);
    expect(await chatbot(s)).toBe(true);
    clock.t = 500;
    await s.read();
    expect(calls).toHaveLength(1); // within the bound: no request
    clock.t = 1_000;
    const { snapshot, pending } = await s.read();
    expect(snapshot?.version).toBe(1); // served at once, revalidated in the background
    await pending;
    expect(calls[1]!['if-none-match']).toBe('"v1"');
    clock.t = 2_000;
    await (await s.read()).pending;
    expect(await chatbot(s)).toBe(false); // the kill switch arrived
    expect(calls[0]!.authorization).toBe('Bearer efs_x');
  });

  it('serves defaults after initialTimeoutMs when the first snapshot hangs', async () => {
    const { fetch } = transport(['hang']);
    const { s } = source(fetch, { t: 0 });
    expect((await s.read()).snapshot).toBeUndefined();
  });

  it('does not wait again after a failed cold start, and retries only every revalidateMs', async () => {
    const clock = { t: 0 };
    const { calls, fetch } = transport(['fail', snap(3)]);
    const { s, errors } = source(fetch, clock);
    expect((await s.read()).snapshot).toBeUndefined();
    expect(errors).toHaveLength(1);
    const again = await s.read();
    expect(again.snapshot).toBeUndefined();
    expect(calls).toHaveLength(1);
    clock.t = 1_000;
    const { snapshot, pending } = await s.read();
    expect(snapshot).toBeUndefined(); // no waiting once an attempt has settled
    await pending;
    expect((await s.read()).snapshot?.version).toBe(3);
  });

  it('keeps the last good snapshot through errors and malformed bodies', async () => {
    const clock = { t: 0 };
    const { fetch } = transport([snap(4), 503, 'fail', { nonsense: true } as unknown as Snapshot]);
    const { s, errors } = source(fetch, clock);
    await s.read();
    for (let i = 1; i <= 3; i++) {
      clock.t = i * 1_000;
      await (await s.read()).pending;
      expect((await s.read()).snapshot?.version).toBe(4);
    }
    expect(errors).toHaveLength(3);
  });

  it('reports a missing configuration instead of throwing', async () => {
    const errors: unknown[] = [];
    const s = new SnapshotSource({
      url: () => undefined,
      serverKey: () => undefined,
      revalidateMs: 1_000,
      initialTimeoutMs: 50,
      fetchTimeoutMs: 100,
      onError: (e) => errors.push(e),
    });
    expect((await s.read()).snapshot).toBeUndefined();
    expect(String(errors[0])).toMatch(/EDGEFLAGS_URL/);
  });
});
