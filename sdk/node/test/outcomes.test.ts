import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsPayload } from '@edgeflags/core';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type EdgeflagsClient } from '../src/index.ts';
import { EdgeflagsProvider } from '../src/openfeature.ts';
import { accountsWithPdfEngine, type LocalWorker, startWorker, waitFor } from './worker.ts';

// Outcomes against the real Worker: a plan is started through the admin API (so the snapshot
// lists new-pdf-engine as tracked), requests run through wrapped handlers, and what reaches
// POST /sdk/v1/metrics — and what the Worker's 202 says it accepted — is asserted.

let worker: LocalWorker;
let planId: string;
const clients: EdgeflagsClient[] = [];

/** A fetch to the real Worker that keeps each metrics body and the Worker's answer to it. */
function metricsTap() {
  const sent: { payload: MetricsPayload; status: number; answer: { accepted: number; dropped: number } }[] = [];
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const res = await globalThis.fetch(input, init);
    if (!input.endsWith('/sdk/v1/metrics')) return res;
    const answer = (await res.clone().json()) as { accepted: number; dropped: number };
    sent.push({ payload: JSON.parse(String(init?.body)), status: res.status, answer });
    return res;
  };
  return { fetch, sent };
}

const open = (options: Parameters<typeof createClient>[0]): EdgeflagsClient => {
  const c = createClient({ logger: false, exposures: false, stream: false, url: worker.url, serverKey: worker.keys.server, ...options });
  clients.push(c);
  return c;
};

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${worker.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

beforeAll(async () => {
  worker = await startWorker();
  // seed-001 starts at 5%, which is what the seed already serves: the variants stay as they are.
  const created = (await admin('POST', '/flags/new-pdf-engine/environments/development/releases', {
    template: 'seed-001',
    start: true,
    reason: 'outcomes test',
  })) as { plan: { id: string } };
  planId = created.plan.id;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await worker?.dispose();
});

const byVariant = (payloads: MetricsPayload[], flag: string) => {
  const out: Record<string, { count: number; errors: number; events: number; latencyN: number }> = {};
  for (const p of payloads)
    for (const s of p.summaries) {
      if (s.flag !== flag) continue;
      out[s.variant] ??= { count: 0, errors: 0, events: 0, latencyN: 0 };
      const v = out[s.variant]!;
      v.count += s.count;
      v.errors += s.errors;
      v.events += s.events?.['invoice-created']?.count ?? 0;
      v.latencyN += s.latency?.n ?? 0;
    }
  return out;
};

describe('outcomes of wrapped handlers reach the Worker as summaries', () => {
  it('a Node (req, res) handler: duration, thrown errors and 5xx count for the variant each request was served', async () => {
    const tap = metricsTap();
    const flags = open({ fetch: tap.fetch, outcomes: { flushIntervalMs: 60_000 } });
    expect(await flags.ready()).toBe(true);
    const { on, off } = accountsWithPdfEngine((a) => flags.isEnabled('new-pdf-engine', { accountId: a }), 300);
    expect(on.length).toBeGreaterThan(3);

    const handler = flags.wrap(async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ctx = { accountId: url.searchParams.get('account') ?? '' };
      const pdf = flags.isEnabled('new-pdf-engine', ctx);
      flags.isEnabled('ai-chatbot', ctx); // not under a plan: no outcome for it
      await new Promise((r) => setTimeout(r, 2));
      if (url.searchParams.has('throw')) throw new Error('render failed');
      if (pdf && url.searchParams.has('fail')) return void res.writeHead(500).end('pdf engine crashed');
      flags.track('invoice-created', 120);
      res.end('ok');
    });
    // As a framework does: a rejected handler gets a 500 from its error handler (the wrap saw the rejection first).
    const server = createServer((req, res) => void handler(req, res).catch(() => res.writeHead(500).end()));
    const base = await listen(server);
    const get = (q: string) =>
      fetch(`${base}/?${q}`)
        .then((r) => r.text())
        .catch(() => '');
    // Every "on" account fails with a 500; two "off" requests throw.
    for (const a of on) await get(`account=${a}&fail`);
    for (const a of off.slice(0, 40)) await get(`account=${a}`);
    for (const a of off.slice(40, 42)) await get(`account=${a}&throw`);
    await new Promise<void>((r) => server.close(() => r()));

    await flags.close();
    const got = byVariant(
      tap.sent.map((s) => s.payload),
      'new-pdf-engine',
    );
    expect(got).toEqual({
      on: { count: on.length, errors: on.length, events: 0, latencyN: on.length },
      off: { count: 42, errors: 2, events: 40, latencyN: 42 },
    });
    expect(tap.sent.every((s) => s.payload.summaries.every((x) => x.flag === 'new-pdf-engine'))).toBe(true);
    // What the Worker took: every summary, none refused.
    expect(tap.sent.map((s) => [s.status, s.answer.dropped])).toEqual(tap.sent.map(() => [202, 0]));
    expect(flags.status().outcomes).toMatchObject({ sent: 2, refused: 0 });
    // And through the queue into the flag's ReleaseConductor: its health holds these requests.
    type Health = { health: { windows: { treatment: { count: number; errors: number }; control: { count: number; errors: number } }[] } };
    const totals = async () => {
      const { health } = (await admin('GET', `/flags/new-pdf-engine/environments/development/releases/${planId}`)) as Health;
      const sum = (side: 'treatment' | 'control', k: 'count' | 'errors') => health.windows.reduce((n, w) => n + w[side][k], 0);
      return {
        treatment: [sum('treatment', 'count'), sum('treatment', 'errors')],
        control: [sum('control', 'count'), sum('control', 'errors')],
      };
    };
    await waitFor(async () => (await totals()).control[0] === 42, 'the conductor to ingest the summaries');
    expect(await totals()).toEqual({ treatment: [on.length, on.length], control: [42, 2] });
  });

  it('a fetch-style handler, run(ctx, fn) and measure(fn): 5xx answers and rejections are errors', async () => {
    const tap = metricsTap();
    const flags = open({ fetch: tap.fetch, outcomes: { flushIntervalMs: 60_000 } });
    await flags.ready();
    const { on, off } = accountsWithPdfEngine((a) => flags.isEnabled('new-pdf-engine', { accountId: a }), 300);
    const handler = flags.wrap(async (request: Request) => {
      const accountId = new URL(request.url).searchParams.get('account') ?? '';
      return flags.isEnabled('new-pdf-engine', { accountId }) ? new Response('down', { status: 503 }) : new Response('ok');
    });
    for (const a of [...on.slice(0, 3), ...off.slice(0, 5)]) await handler(new Request(`http://app/?account=${a}`));
    // run(ctx, fn): an evaluation without a context uses the scope's; a rejection reaches the caller.
    await expect(
      flags.run({ accountId: on[0]! }, async () => {
        expect(flags.isEnabled('new-pdf-engine')).toBe(true);
        throw new Error('job failed');
      }),
    ).rejects.toThrow('job failed');
    expect(flags.measure(() => flags.variant('new-pdf-engine', { accountId: off[0]! }))).toBe('off');
    await flags.close();
    expect(
      byVariant(
        tap.sent.map((s) => s.payload),
        'new-pdf-engine',
      ),
    ).toEqual({
      on: { count: 4, errors: 4, events: 0, latencyN: 4 },
      off: { count: 6, errors: 0, events: 0, latencyN: 6 },
    });
    expect(flags.status().outcomes).toMatchObject({ sent: 2, refused: 0 });
  });

  it('costs nothing for flags under no plan: a scope that evaluated none sends nothing', async () => {
    const tap = metricsTap();
    const flags = open({ fetch: tap.fetch });
    await flags.ready();
    const handler = flags.wrap(
      async (_request: Request) => new Response(String(flags.isEnabled('ai-chatbot', { plan: 'free', country: 'US' }))),
    );
    for (let i = 0; i < 20; i++) await handler(new Request('http://app/'));
    await flags.close();
    expect(tap.sent).toEqual([]);
    expect(flags.status().outcomes).toMatchObject({ sent: 0, cells: 0 });
  });

  it('never blocks a request: with the metrics endpoint hanging, wrapped requests take no longer', async () => {
    const hanging = async (input: string, init?: RequestInit) =>
      input.endsWith('/sdk/v1/metrics') ? new Promise<Response>(() => {}) : globalThis.fetch(input, init);
    const flags = open({ fetch: hanging, outcomes: { flushIntervalMs: 50 } });
    await flags.ready();
    const handler = flags.wrap(
      async (_request: Request) => new Response(String(flags.isEnabled('new-pdf-engine', { accountId: 'acct-1' }))),
    );
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) await handler(new Request('http://app/'));
    await new Promise((r) => setTimeout(r, 120)); // a flush is now hanging
    for (let i = 0; i < 2_000; i++) await handler(new Request('http://app/'));
    expect(performance.now() - started).toBeLessThan(3_000);
    const closing = performance.now();
    await flags.close(300);
    expect(performance.now() - closing).toBeLessThan(2_000);
  });
});

describe('OpenFeature tracking', () => {
  it('provider.track reaches the recorder: inside a scope with the request, outside by the context', async () => {
    const tap = metricsTap();
    const flags = open({ fetch: tap.fetch, outcomes: { flushIntervalMs: 60_000 } });
    await flags.ready();
    const { on, off } = accountsWithPdfEngine((a) => flags.isEnabled('new-pdf-engine', { accountId: a }), 300);
    await OpenFeature.setProviderAndWait(new EdgeflagsProvider(flags));
    const client = OpenFeature.getClient();
    // Inside a wrapped request: the event joins the request's outcome (value → sum).
    await flags.measure(async () => {
      await client.getBooleanValue('new-pdf-engine', false, { targetingKey: 'u-1', accountId: on[0]! });
      client.track('invoice-created', { targetingKey: 'u-1' }, { value: 250 });
    });
    // Outside any scope: attributed to the variant this context is served.
    client.track('invoice-created', { targetingKey: 'u-2', accountId: off[0]! }, { value: 40 });
    await OpenFeature.clearProviders();
    await flags.close();
    const summaries = tap.sent.flatMap((s) => s.payload.summaries);
    expect(summaries.find((s) => s.variant === 'on')).toMatchObject({
      count: 1,
      errors: 0,
      events: { 'invoice-created': { count: 1, sum: 250 } },
    });
    expect(summaries.find((s) => s.variant === 'off')).toMatchObject({
      count: 0,
      errors: 0,
      events: { 'invoice-created': { count: 1, sum: 40 } },
    });
    expect(tap.sent.every((s) => s.status === 202 && s.answer.dropped === 0)).toBe(true);
  });
});
