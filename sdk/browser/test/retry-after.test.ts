// Issue 9 §3: a browser refused 429 sends nothing more before Retry-After, then tries once.
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.ts';

describe('@edgeflags/browser and 429 Retry-After', () => {
  it('holds every evaluate until Retry-After, then sends the latest context once', async () => {
    const sent: { at: number; body: string }[] = [];
    const payload = { environment: 'development', version: 2, flags: { a: { value: true, variant: 'on', reason: 'DEFAULT' } } };
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ at: Date.now(), body: String(init?.body) });
      return sent.length === 1
        ? new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { 'Retry-After': '1' } })
        : Response.json(payload);
    };
    const flags = createClient({ url: 'http://edge.test', clientKey: 'efc_x', stream: false, exposures: false, storage: null, fetch });
    expect(await flags.ready()).toBe(false);
    // Context changes inside the quiet period are not sent; the newest goes once it is over.
    await flags.setContext({ targetingKey: 'u2' });
    await flags.setContext({ targetingKey: 'u3' });
    expect(sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 2200));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(sent[1]!.body)).toEqual({ context: { targetingKey: 'u3' } });
    expect(flags.isEnabled('a')).toBe(true);
    flags.close();
  });
});

describe('@edgeflags/browser exposures and 429 Retry-After', () => {
  it('sends no exposures before Retry-After', async () => {
    const { exposureQueue } = await import('../src/exposures.ts');
    const posts: number[] = [];
    const send = (async () => {
      posts.push(Date.now());
      return new Response(null, { status: 429, headers: { 'Retry-After': '60' } });
    }) as typeof fetch;
    const q = exposureQueue('http://edge.test/sdk/v1/events?key=efc_x', send);
    q.add({ flag: 'a', variant: 'on', reason: 'DEFAULT', contextKey: 'u1', at: Date.now() });
    q.flush();
    await new Promise((r) => setTimeout(r, 10));
    q.add({ flag: 'a', variant: 'on', reason: 'DEFAULT', contextKey: 'u2', at: Date.now() });
    q.flush();
    await new Promise((r) => setTimeout(r, 10));
    expect(posts).toHaveLength(1);
  });
});
