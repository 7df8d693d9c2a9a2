// withFlags for App Router route handlers against the real Worker: a plan is started through the
// admin API, the middleware evaluates each request (in-process, as Next runs it) and says which
// flags are under the plan, and the wrapped handler's outcomes reach POST /sdk/v1/metrics.
import type { MetricsPayload } from '@edgeflags/core';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWorker } from '../../../scripts/local-worker.mjs';
import { createEdgeflagsMiddleware } from '../src/index.ts';
import { createRouteFlags } from '../src/route.ts';
import { readFlags } from '../src/server.ts';

type Worker = Awaited<ReturnType<typeof startLocalWorker>>;
let worker: Worker;

beforeAll(async () => {
  worker = await startLocalWorker({ timeoutMs: 120_000 });
  const res = await fetch(`${worker.url}/api/v1/flags/new-pdf-engine/environments/development/releases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: 'seed-001', start: true, reason: 'next route handler test' }),
  });
  expect(res.status).toBeLessThan(300);
});
afterAll(() => worker?.dispose());

describe('withFlags: route handler outcomes', () => {
  it('records duration, throws and 5xx answers for the variant each request read, and the Worker accepts them', async () => {
    const middleware = createEdgeflagsMiddleware({
      url: worker.url,
      serverKey: worker.keys.server,
      context: (req) => ({ accountId: req.nextUrl.searchParams.get('account') ?? '' }),
      cookie: false,
      exposures: false,
    });
    const sent: { payload: MetricsPayload; status: number; answer: unknown }[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await globalThis.fetch(input, init);
      sent.push({ payload: JSON.parse(String(init?.body)), status: res.status, answer: await res.clone().json() });
      return res;
    }) as typeof globalThis.fetch;
    const route = createRouteFlags({ url: worker.url, serverKey: worker.keys.server, fetch, outcomes: { flushIntervalMs: 60_000 } });
    const POST = route.withFlags<{ params: Promise<Record<string, never>> }>(async (request, { flags }) => {
      flags.isEnabled('ai-chatbot'); // under no plan: no outcome
      const pdf = flags.isEnabled('new-pdf-engine');
      if (new URL(request.url).searchParams.has('throw')) throw new Error('handler bug');
      if (pdf) return new Response('pdf engine down', { status: 502 });
      flags.track('invoice-created', 30);
      return Response.json({ ok: true });
    });

    /** What Next does: the middleware runs, then the handler gets the request with the middleware's headers. */
    const call = async (query: string) => {
      const url = `http://app.test/api/invoices?${query}`;
      const res = await middleware(new NextRequest(url, { method: 'POST' }));
      const header = res.headers.get('x-middleware-request-x-edgeflags');
      return POST(new Request(url, { method: 'POST', headers: header ? { 'x-edgeflags': header } : {} }), { params: Promise.resolve({}) });
    };
    const variants = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const res = await middleware(new NextRequest(`http://app.test/?account=acct-${i}`));
      const flags = readFlags({ get: (n) => res.headers.get(`x-middleware-request-${n}`) });
      expect(flags.tracked).toEqual(['new-pdf-engine']);
      expect(flags.bootstrap.tracked).toEqual(['new-pdf-engine']); // client-visible: the browser learns it too
      variants.set(`acct-${i}`, flags.variant('new-pdf-engine')!);
    }
    const on = [...variants].filter(([, v]) => v === 'on').map(([a]) => a);
    const off = [...variants].filter(([, v]) => v === 'off').map(([a]) => a);
    expect(on.length).toBeGreaterThan(2);

    for (const a of on) expect((await call(`account=${a}`)).status).toBe(502);
    for (const a of off.slice(0, 20)) expect((await call(`account=${a}`)).status).toBe(200);
    await expect(call(`account=${off[20]}&throw`)).rejects.toThrow('handler bug');
    await route.close();

    const summaries = sent.flatMap((s) => s.payload.summaries);
    expect(summaries.map((s) => s.flag)).toEqual(['new-pdf-engine', 'new-pdf-engine']);
    expect(summaries.find((s) => s.variant === 'on')).toMatchObject({ count: on.length, errors: on.length, latency: { n: on.length } });
    expect(summaries.find((s) => s.variant === 'off')).toMatchObject({
      count: 21,
      errors: 1,
      events: { 'invoice-created': { count: 20, sum: 600 } },
    });
    expect(sent.map((s) => [s.status, s.answer])).toEqual([[202, { accepted: 2, dropped: 0 }]]);
  });

  it('a request the middleware did not evaluate (no header) records nothing and still answers', async () => {
    const sent: string[] = [];
    const route = createRouteFlags({
      url: worker.url,
      serverKey: worker.keys.server,
      fetch: (async (input: RequestInfo | URL) => {
        sent.push(String(input));
        return new Response(null, { status: 202 });
      }) as typeof fetch,
    });
    const GET = route.withFlags(async (_request, { flags }) => new Response(String(flags.isEnabled('new-pdf-engine'))));
    expect(await (await GET(new Request('http://app.test/'), {})).text()).toBe('false');
    await route.close();
    expect(sent).toEqual([]);
  });
});
