// @edgeflags/browser/outcomes: the recorder on its own (Node, with a stand-in client: bounds and
// the 429 pause), then in real headless Chromium against the real Worker, where a page's
// uncaught error reaches POST /sdk/v1/metrics as a failed page view for the variant it was served.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsPayload } from '@edgeflags/core';
import { OpenFeature } from '@openfeature/web-sdk';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test-support.mjs';
import type { FlagClient, Payload } from '../src/index.ts';
import { EdgeflagsWebProvider } from '../src/openfeature.ts';
import { recordOutcomes } from '../src/outcomes.ts';
import { type LocalWorker, startWorker, US_FREE_USER } from './worker.ts';

const PAYLOAD: Payload = {
  environment: 'development',
  version: 1,
  flags: {
    'redesigned-dashboard': { value: 'treatment', variant: 'treatment', reason: 'SPLIT' },
    'ai-chatbot': { value: true, variant: 'on', reason: 'DEFAULT' },
  },
  tracked: ['redesigned-dashboard'],
};
const standIn = (payload: Payload) => ({ snapshot: () => payload, subscribe: () => () => {} }) as unknown as FlagClient;

describe('recordOutcomes, bounds and backoff', () => {
  it('keeps at most 20 event names per variant under 1e6 distinct events, and never throws on bad input', () => {
    const bodies: MetricsPayload[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response('{"accepted":1,"dropped":0}', { status: 202 });
    }) as typeof globalThis.fetch;
    const outcomes = recordOutcomes(standIn(PAYLOAD), { url: 'http://edge.test', clientKey: 'efc_x', fetch });
    for (let i = 0; i < 1_000_000; i++) outcomes.track(`event-${i}`, i);
    outcomes.track('' as string);
    outcomes.track('__proto__', 1);
    outcomes.track(42 as unknown as string);
    outcomes.track('x'.repeat(65));
    outcomes.error();
    outcomes.flush();
    expect(bodies).toHaveLength(1);
    const [summary] = bodies[0]!.summaries;
    // Only the tracked flag, for the variant served: one failed view, 20 event names.
    expect(bodies[0]!.summaries).toHaveLength(1);
    expect(summary).toMatchObject({ flag: 'redesigned-dashboard', variant: 'treatment', count: 1, errors: 1 });
    expect(Object.keys(summary!.events!)).toHaveLength(20);
    outcomes.close();
  });

  it('pauses for Retry-After on 429 and sends the refused summaries later, merged', async () => {
    const answers = [new Response(null, { status: 429, headers: { 'Retry-After': '1' } })];
    const bodies: MetricsPayload[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return answers.shift() ?? new Response('{"accepted":1,"dropped":0}', { status: 202 });
    }) as typeof globalThis.fetch;
    const outcomes = recordOutcomes(standIn(PAYLOAD), { url: 'http://edge.test', clientKey: 'efc_x', fetch, flushIntervalMs: 50 });
    outcomes.track('invoice-created', 10);
    outcomes.flush();
    await new Promise((r) => setTimeout(r, 20));
    outcomes.track('invoice-created', 5);
    outcomes.flush(); // paused: nothing goes out
    expect(bodies).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.summaries[0]!.events).toEqual({ 'invoice-created': { count: 2, sum: 15 } });
    outcomes.close();
  });
});

/** The page: the client and the outcomes entry, error capture on, bundled as an app would. */
async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  const entry = `
    import { createClient } from './src/index.ts';
    import { recordOutcomes } from './src/outcomes.ts';
    const { url, clientKey, context } = window.edgeflags;
    const flags = createClient({ url, clientKey, context, exposures: false, stream: false, storage: null });
    window.outcomes = recordOutcomes(flags, { url, clientKey, captureErrors: true });
    flags.ready().then(() => { window.served = flags.snapshot(); });`;
  const out = await build({
    stdin: { contents: entry, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]!.text;
  const server: Server = createServer((req, res) => {
    if (req.url === '/app.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(js);
    else
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><title>outcomes</title><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('@edgeflags/browser/outcomes in headless Chromium against the real Worker', () => {
  let worker: LocalWorker;
  let page$: Awaited<ReturnType<typeof servePage>>;
  let browser: Browser;
  let planPath: string;

  /** Page views the flag's ReleaseConductor holds for display (browser data, both variants). */
  async function conductorViews(): Promise<{ count: number; errors: number }> {
    const res = await fetch(`${worker.url}/api/v1${planPath}`, { headers: { Authorization: `Bearer ${worker.keys.admin}` } });
    type Side = { count: number; errors: number };
    const { health } = (await res.json()) as { health: { windows: { all: { treatment: Side; control: Side } }[] } };
    const sum = (k: keyof Side) => health.windows.reduce((n, w) => n + w.all.treatment[k] + w.all.control[k], 0);
    return { count: sum('count'), errors: sum('errors') };
  }

  beforeAll(async () => {
    [worker, page$, browser] = await Promise.all([startWorker(), servePage(), launchChromium()]);
    const res = await fetch(`${worker.url}/api/v1/flags/redesigned-dashboard/environments/development/releases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ template: 'default', start: true, reason: 'browser outcomes test' }),
    });
    expect(res.status).toBeLessThan(300);
    const { plan } = (await res.json()) as { plan: { id: string } };
    planPath = `/flags/redesigned-dashboard/environments/development/releases/${plan.id}`;
  });
  afterAll(async () => {
    await browser?.close();
    await page$?.close();
    await worker?.dispose();
  });

  /** Opens the page and records every metrics request it makes, with the Worker's answer. */
  async function openPage(): Promise<{ page: Page; sent: { body: MetricsPayload; status: number }[] }> {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const sent: { body: MetricsPayload; status: number }[] = [];
    page.on('requestfinished', async (req) => {
      if (!req.url().includes('/sdk/v1/metrics')) return;
      const res = await req.response();
      sent.push({ body: JSON.parse(req.postData() ?? '{}'), status: res?.status() ?? 0 });
    });
    await page.addInitScript(
      (json: string) => {
        (window as unknown as Record<string, unknown>).edgeflags = JSON.parse(json);
        let visibility: DocumentVisibilityState = 'visible';
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
        (window as unknown as Record<string, unknown>).hide = () => {
          visibility = 'hidden';
          document.dispatchEvent(new Event('visibilitychange'));
        };
      },
      JSON.stringify({ url: worker.url, clientKey: worker.keys.client, context: US_FREE_USER }),
    );
    await page.goto(page$.url);
    await page.waitForFunction(() => (window as unknown as { served?: unknown }).served !== undefined, null, { timeout: 30_000 });
    return { page, sent };
  }

  const served = (page: Page) => page.evaluate(() => (window as unknown as { served: Payload }).served);

  it('an uncaught error and an unhandled rejection fail the page view, for the variant the page was served', async () => {
    const { page, sent } = await openPage();
    const payload = await served(page);
    expect(payload.tracked).toEqual(['redesigned-dashboard']);
    const variant = payload.flags['redesigned-dashboard']!.variant;
    await page.evaluate(() => {
      (window as unknown as { outcomes: { track(n: string, v?: number): void } }).outcomes.track('invoice-created', 120);
      setTimeout(() => {
        throw new Error('render failed');
      });
      void Promise.reject(new Error('fetch failed'));
    });
    await page.waitForTimeout(100);
    await page.evaluate(() => (window as unknown as { hide(): void }).hide()); // sendBeacon on hide
    await expect.poll(() => sent.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const summaries = sent.flatMap((s) => s.body.summaries);
    // One page view, failed once (two errors), the event with its value; nothing for untracked flags.
    expect(summaries).toEqual([
      { flag: 'redesigned-dashboard', variant, count: 1, errors: 1, events: { 'invoice-created': { count: 1, sum: 120 } } },
    ]);
    // A beacon's answer cannot be read, but its status can, and the conductor shows what it took.
    expect(sent.map((s) => s.status)).toEqual([202]);
    await expect.poll(conductorViews, { timeout: 30_000 }).toEqual({ count: 1, errors: 1 });
  });

  it('a page view without errors counts as a success when the page is hidden', async () => {
    const { page, sent } = await openPage();
    const variant = (await served(page)).flags['redesigned-dashboard']!.variant;
    await page.evaluate(() => (window as unknown as { hide(): void }).hide());
    await expect.poll(() => sent.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(sent.flatMap((s) => s.body.summaries)).toEqual([{ flag: 'redesigned-dashboard', variant, count: 1, errors: 0, events: {} }]);
    expect(sent[0]!.status).toBe(202);
    await expect.poll(conductorViews, { timeout: 30_000 }).toEqual({ count: 2, errors: 1 });
  });

  it('the OpenFeature web provider: track(name, { value }) reaches the same recorder', async () => {
    const bodies: MetricsPayload[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await globalThis.fetch(input, init);
      if (String(input).includes('/sdk/v1/metrics')) bodies.push(JSON.parse(String(init?.body)));
      return res;
    }) as typeof globalThis.fetch;
    const provider = new EdgeflagsWebProvider({
      url: worker.url,
      clientKey: worker.keys.client,
      fetch,
      exposures: false,
      stream: false,
      storage: null,
    });
    await OpenFeature.setProviderAndWait(provider, US_FREE_USER);
    const flags = OpenFeature.getClient();
    const variant = flags.getStringDetails('redesigned-dashboard', 'control').variant;
    flags.track('invoice-created', { value: 75 });
    flags.track('invoice-created', { value: 25 });
    await OpenFeature.close(); // ends the page view and sends it
    await expect.poll(() => bodies.length, { timeout: 10_000 }).toBe(1);
    expect(bodies[0]!.summaries).toEqual([
      { flag: 'redesigned-dashboard', variant, count: 1, errors: 0, events: { 'invoice-created': { count: 2, sum: 100 } } },
    ]);
  });
});
