import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exposureQueue } from '../src/exposures.ts';
import { createClient } from '../src/index.ts';
import type { Exposure } from '../src/types.ts';
import { type LocalWorker, recordingFetch, startWorker, US_FREE_USER, waitFor } from './worker.ts';

const exposure = (flag: string, contextKey = 'u1'): Exposure => ({ flag, variant: 'on', reason: 'SPLIT', contextKey, at: 1 });
const sentEvents = (send: { mock: { calls: Parameters<typeof fetch>[] } }) =>
  send.mock.calls.map(([, init]) => JSON.parse(String(init?.body)).events as Exposure[]);

describe('exposureQueue', () => {
  it('sends each flag, variant and context once, batched into one request', () => {
    const send = vi.fn<typeof fetch>(async () => new Response(null, { status: 202 }));
    const queue = exposureQueue('https://edge/sdk/v1/events?key=efc_x', send);
    queue.add(exposure('a'));
    queue.add(exposure('a'));
    queue.add(exposure('a', 'u2'));
    queue.add({ ...exposure('a'), variant: 'off' });
    queue.add(exposure('b'));
    queue.flush();
    queue.flush();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0]).toBe('https://edge/sdk/v1/events?key=efc_x');
    expect(sentEvents(send)[0]!.map((e) => `${e.flag}/${e.variant}/${e.contextKey}`)).toEqual([
      'a/on/u1',
      'a/on/u2',
      'a/off/u1',
      'b/on/u1',
    ]);
    queue.close();
  });

  it('flushes on a timer without the app asking', () => {
    vi.useFakeTimers();
    const send = vi.fn<typeof fetch>(async () => new Response(null, { status: 202 }));
    const queue = exposureQueue('https://edge/e', send);
    queue.add(exposure('a'));
    expect(send).not.toHaveBeenCalled();
    vi.runOnlyPendingTimers();
    expect(send).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
    queue.close();
  });

  it('is bounded: a full queue drops new events instead of growing', () => {
    const send = vi.fn<typeof fetch>(async () => new Response(null, { status: 202 }));
    const queue = exposureQueue('https://edge/e', send);
    for (let i = 0; i < 1000; i++) queue.add(exposure('a', `user-${i}`));
    queue.flush();
    expect(sentEvents(send)[0]).toHaveLength(100);
    queue.close();
  });

  it('drops a batch the edge cannot take and never throws to the app', async () => {
    const send = vi.fn<typeof fetch>(() => Promise.reject(new TypeError('fetch failed')));
    const queue = exposureQueue('https://edge/e', send);
    queue.add(exposure('a'));
    expect(() => queue.flush()).not.toThrow();
    await Promise.resolve();
    queue.add(exposure('b'));
    queue.flush();
    expect(sentEvents(send).map((events) => events.map((e) => e.flag))).toEqual([['a'], ['b']]);
    queue.close();
  });

  it('only marks an event a server already reported, so it is never sent', () => {
    const send = vi.fn<typeof fetch>(async () => new Response(null, { status: 202 }));
    const queue = exposureQueue('https://edge/e', send);
    queue.add(exposure('a'), true);
    queue.add(exposure('a'));
    queue.add(exposure('b'));
    queue.flush();
    expect(sentEvents(send)).toEqual([[exposure('b')]]);
    queue.close();
  });

  it('uses sendBeacon when the page is hidden, so the batch survives the page', () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const beacons: [string, string][] = [];
    vi.stubGlobal('document', doc);
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    vi.stubGlobal('navigator', { sendBeacon: (url: string, body: string) => beacons.push([url, body]) > 0 });
    const send = vi.fn<typeof fetch>(async () => new Response(null, { status: 202 }));
    const queue = exposureQueue('https://edge/e?key=efc_x', send);
    queue.add(exposure('a'));
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(send).not.toHaveBeenCalled();
    expect(beacons).toEqual([['https://edge/e?key=efc_x', JSON.stringify({ events: [exposure('a')] })]]);
    queue.close();
    vi.unstubAllGlobals();
  });
});

describe('exposures against the real Worker', () => {
  let worker: LocalWorker;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(() => worker?.dispose());

  it('reports the variant each context received to POST /sdk/v1/events', async () => {
    const fetch = recordingFetch();
    const responses: number[] = [];
    const send: typeof globalThis.fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('/events')) responses.push(res.status);
      return res;
    };
    const flags = createClient({ url: worker.url, clientKey: worker.keys.client, fetch: send, storage: null, context: US_FREE_USER });
    await flags.ready();
    flags.isEnabled('ai-chatbot');
    flags.isEnabled('ai-chatbot');
    flags.variant('redesigned-dashboard');
    flags.value('redesigned-dashboard', 'control');
    flags.close();
    await waitFor(() => responses.length === 1, 'the exposure batch to be answered');

    const posted = fetch.calls.filter((c) => c.path === '/sdk/v1/events');
    expect(posted).toHaveLength(1);
    const { events } = JSON.parse(posted[0]!.body!) as { events: Exposure[] };
    expect(events.map(({ flag, variant, contextKey }) => ({ flag, variant, contextKey }))).toEqual([
      { flag: 'ai-chatbot', variant: 'on', contextKey: 'u1' },
      { flag: 'redesigned-dashboard', variant: flags.snapshot()!.flags['redesigned-dashboard']!.variant, contextKey: 'u1' },
    ]);
    expect(responses[0]).toBe(202);
  });

  it('does not repeat what the server reported for its bootstrap (a Next.js A/B rewrite)', async () => {
    const seed = createClient({ url: worker.url, clientKey: worker.keys.client, storage: null, exposures: false, context: US_FREE_USER });
    await seed.ready();
    const bootstrap = { ...seed.snapshot()!, exposed: ['redesigned-dashboard'] };
    seed.close();

    const fetch = recordingFetch();
    const flags = createClient({
      url: worker.url,
      clientKey: worker.keys.client,
      fetch,
      storage: null,
      stream: false,
      context: US_FREE_USER,
      bootstrap,
    });
    flags.variant('redesigned-dashboard');
    flags.isEnabled('ai-chatbot');
    flags.close();
    const posted = fetch.calls.filter((c) => c.path === '/sdk/v1/events');
    expect(posted).toHaveLength(1);
    expect((JSON.parse(posted[0]!.body!) as { events: Exposure[] }).events.map((e) => e.flag)).toEqual(['ai-chatbot']);
  });

  it('sends nothing for a context without a targetingKey, which no experiment could attribute', async () => {
    const fetch = recordingFetch();
    const flags = createClient({ url: worker.url, clientKey: worker.keys.client, fetch, storage: null, context: { plan: 'free' } });
    await flags.ready();
    expect(flags.variant('ai-chatbot')).toBe('off');
    flags.close();
    expect(fetch.calls.map((c) => c.path)).toEqual(['/sdk/v1/evaluate']);
  });
});
