import { describe, expect, it } from 'vitest';
import { openChangeFeed } from './change-feed.ts';

/** A document whose visibility the test flips. */
function fakeDoc() {
  const handlers = new Set<() => void>();
  const doc = {
    visibilityState: 'visible' as string,
    addEventListener: (_: 'visibilitychange', h: () => void) => void handlers.add(h),
    removeEventListener: (_: 'visibilitychange', h: () => void) => void handlers.delete(h),
    set(state: string) {
      doc.visibilityState = state;
      for (const h of handlers) h();
    },
  };
  return doc;
}

/** A streaming response the test writes server-sent events into. */
function streamingFetch() {
  const opened: { url: string; auth: string | null; push: (text: string) => void; end: () => void; aborted: () => boolean }[] = [];
  const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const signal = init?.signal;
    signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    opened.push({
      url: String(input),
      auth: new Headers(init?.headers).get('Authorization'),
      push: (text) => controller.enqueue(new TextEncoder().encode(text)),
      end: () => controller.close(),
      aborted: () => signal?.aborted === true,
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  }) as typeof globalThis.fetch;
  return { fetch: fakeFetch, opened };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('change feed', () => {
  it('opens one authenticated stream per environment and hands each refetch its changed keys', async () => {
    const { fetch, opened } = streamingFetch();
    const doc = fakeDoc();
    const feed = openChangeFeed({ baseUrl: '', token: 'efa_t', environments: ['development', 'production'], fetch, doc });
    const heard: [string, string[] | undefined][] = [];
    feed.subscribe((env, flags) => heard.push([env, flags]));
    await until(() => opened.length === 2);
    expect(opened.map((o) => o.url)).toEqual(['/api/v1/environments/development/changes', '/api/v1/environments/production/changes']);
    expect(opened[0]!.auth).toBe('Bearer efa_t');
    opened[1]!.push(': heartbeat\n\nevent: hello\ndata: {"type":"hello","id":3}\n\n');
    opened[1]!.push('id: 4\nevent: refetch\ndata: {"type":"refetch","id":4,"flags":["ai-chatbot"]}\n\n');
    await until(() => heard.length === 1);
    expect(heard).toEqual([['production', ['ai-chatbot']]]);
    feed.close();
    expect(opened.every((o) => o.aborted())).toBe(true);
  });

  it('reconnects after the stream drops, and holds no stream while the tab is hidden', async () => {
    const { fetch, opened } = streamingFetch();
    const doc = fakeDoc();
    const feed = openChangeFeed({ baseUrl: '', token: 'efa_t', environments: ['staging'], fetch, doc });
    const heard: [string, string[] | undefined][] = [];
    feed.subscribe((env, flags) => heard.push([env, flags]));
    await until(() => opened.length === 1);
    opened[0]!.end();
    await until(() => opened.length === 2);
    doc.set('hidden');
    expect(opened[1]!.aborted()).toBe(true);
    doc.set('visible');
    await until(() => opened.length === 3);
    // Back from hidden: pages refresh once, since pushes were missed meanwhile.
    expect(heard).toEqual([['staging', undefined]]);
    feed.close();
  });
});
