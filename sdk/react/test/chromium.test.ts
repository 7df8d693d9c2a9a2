// @edgeflags/react in real headless Chromium against the real Worker: the page is served from
// its own origin, so every request also exercises the Worker's CORS for SDK routes.
import type { Payload } from '@edgeflags/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test-support.mjs';
import { type LocalWorker, startWorker, toggle } from '../../browser/test/worker.ts';
import { servePage } from './page/serve-page.ts';

const CONTEXT = { targetingKey: 'u1', plan: 'free', country: 'US' };

let worker: LocalWorker;
let page$: Awaited<ReturnType<typeof servePage>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [worker, page$, browser] = await Promise.all([startWorker(), servePage(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await page$?.close();
  await worker?.dispose();
});

type PageConfig = { url: string; clientKey: string; context: Record<string, string>; bootstrap?: Payload; strict?: boolean };

/** A fresh browser profile (its own localStorage) with hooks to watch streams and fake a hidden tab. */
async function openPage(bootstrap?: Payload, context: BrowserContext | undefined = undefined, strict = false): Promise<Page> {
  const ctx = context ?? (await browser.newContext());
  if (!context) contexts.push(ctx);
  const page = await ctx.newPage();
  const config: PageConfig = { url: worker.url, clientKey: worker.keys.client, context: CONTEXT, bootstrap, strict };
  await page.addInitScript((json: string) => {
    const w = window as unknown as Record<string, unknown>;
    w.edgeflags = JSON.parse(json);
    // The client's streams, WebSocket (preferred) or EventSource (fallback): readyState 1 is open.
    const streams: Array<EventSource | WebSocket> = [];
    w.streams = streams;
    const NativeSource = window.EventSource;
    window.EventSource = class extends NativeSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        streams.push(this);
      }
    };
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        streams.push(this);
      }
    };
    let visibility: DocumentVisibilityState = 'visible';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    w.setVisibility = (state: DocumentVisibilityState) => {
      visibility = state;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  }, JSON.stringify(config));
  await page.goto(strict ? `${page$.url}dev` : page$.url);
  return page;
}

const text = (page: Page, id: string) => page.locator(`#${id}`).textContent({ timeout: 30_000 });
const streamOpen = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { streams: EventSource[] }).streams.some((s) => s.readyState === 1), null, {
    timeout: 30_000,
  });

async function evaluate(): Promise<Payload> {
  const res = await fetch(`${worker.url}/sdk/v1/evaluate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${worker.keys.client}` },
    body: JSON.stringify({ context: CONTEXT }),
  });
  return (await res.json()) as Payload;
}

describe('@edgeflags/react in headless Chromium', () => {
  it('updates the component when the kill switch flips, without a reload, and re-renders no other reader', async () => {
    const { variant } = (await evaluate()).flags['redesigned-dashboard']!;
    const page = await openPage();
    await page.waitForFunction((v) => document.getElementById('dashboard')?.textContent === `enabled ${v}`, variant, { timeout: 30_000 });
    expect(await text(page, 'chatbot')).toBe('chat on');
    await streamOpen(page);
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    const before = await page.evaluate(() => ({ ...window.renders }));

    await toggle(worker, 'redesigned-dashboard', false);
    await page.waitForFunction(() => document.getElementById('dashboard')?.textContent === 'disabled control', null, { timeout: 30_000 });

    const marker = await page.evaluate(() => (window as unknown as { marker: number }).marker);
    expect(marker).toBe(42); // same document: no reload happened
    const after = await page.evaluate(() => ({ ...window.renders }));
    expect(after.dashboard).toBeGreaterThan(before.dashboard!);
    expect(after.chatbot).toBe(before.chatbot);
    expect(after.maintenance).toBe(before.maintenance);

    await toggle(worker, 'redesigned-dashboard', true);
    await page.waitForFunction((v) => document.getElementById('dashboard')?.textContent === `enabled ${v}`, variant, { timeout: 30_000 });
  });

  it('renders bootstrapped values on the very first render, with no loading state and no evaluation request', async () => {
    const payload = await evaluate();
    const evaluations: string[] = [];
    const ctx = await browser.newContext();
    contexts.push(ctx);
    ctx.on('request', (req) => {
      if (req.url().includes('/sdk/v1/evaluate')) evaluations.push(req.url());
    });
    const page = await openPage(payload, ctx);
    await streamOpen(page);
    const first = await page.evaluate(() => window.firstRender);
    expect(first).toEqual({ loading: false, enabled: true, variant: payload.flags['redesigned-dashboard']!.variant });
    expect(await text(page, 'chatbot')).toBe('chat on');
    expect(evaluations).toEqual([]);
  });

  it('serves the last values from localStorage on the next load while the edge is unreachable', async () => {
    const { variant } = (await evaluate()).flags['redesigned-dashboard']!;
    const page = await openPage();
    await page.waitForFunction((v) => document.getElementById('dashboard')?.textContent === `enabled ${v}`, variant, { timeout: 30_000 });

    await page.route(`${worker.url}/**`, (route) => route.abort());
    await page.reload();
    await page.waitForFunction(() => window.firstRender !== undefined, null, { timeout: 30_000 });
    expect(await page.evaluate(() => window.firstRender)).toEqual({ loading: false, enabled: true, variant });
    expect(await text(page, 'chatbot')).toBe('chat on');
  });

  it('drops the stream in a hidden tab and catches up when the tab returns', async () => {
    const page = await openPage();
    await streamOpen(page);
    expect(await text(page, 'maintenance')).toBe('maintenance off');

    await page.evaluate(() => (window as unknown as { setVisibility(s: string): void }).setVisibility('hidden'));
    const states = await page.evaluate(() => (window as unknown as { streams: EventSource[] }).streams.map((s) => s.readyState));
    expect(states.every((s) => s >= 2)).toBe(true); // closed (a WebSocket may still be closing)

    await toggle(worker, 'maintenance-mode', true);
    // A negative check needs some wait: longer than the edge's ~1 s staleness bound plus a push.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await text(page, 'maintenance')).toBe('maintenance off');
    const hiddenStreams = await page.evaluate(() => (window as unknown as { streams: EventSource[] }).streams.length);

    await page.evaluate(() => (window as unknown as { setVisibility(s: string): void }).setVisibility('visible'));
    await page.waitForFunction(() => document.getElementById('maintenance')?.textContent === 'maintenance on', null, { timeout: 30_000 });
    const urls = await page.evaluate(() => (window as unknown as { streams: EventSource[] }).streams.map((s) => s.url));
    expect(urls).toHaveLength(hiddenStreams + 1);
    expect(urls.at(-1)).toMatch(/[?&]lastEventId=\d+/);
  });

  it('gets a kill switch over a WebSocket with its value in the push: the page updates with no evaluation request (issue 9 §2)', async () => {
    const evaluations: string[] = [];
    const ctx = await browser.newContext();
    contexts.push(ctx);
    ctx.on('request', (req) => {
      if (req.url().includes('/sdk/v1/evaluate')) evaluations.push(req.url());
    });
    const page = await openPage(undefined, ctx);
    await streamOpen(page);
    const before = await text(page, 'maintenance');
    const urls = await page.evaluate(() => (window as unknown as { streams: WebSocket[] }).streams.map((s) => s.url));
    expect(urls[0]).toMatch(/^ws:\/\/.*\/sdk\/v1\/stream\?key=/);
    const asked = evaluations.length;

    await toggle(worker, 'maintenance-mode', before !== 'maintenance on'); // on or off: one answer for everyone
    await page.waitForFunction((b) => document.getElementById('maintenance')?.textContent !== b, before, { timeout: 30_000 });
    expect(evaluations).toHaveLength(asked);
  });

  it('keeps streaming under StrictMode, whose remount closes the first client', async () => {
    const page = await openPage(undefined, undefined, true);
    const before = await text(page, 'maintenance');
    await streamOpen(page);
    await toggle(worker, 'maintenance-mode', before !== 'maintenance on');
    await page.waitForFunction((b) => document.getElementById('maintenance')?.textContent !== b, before, { timeout: 30_000 });
    // The closed client's stream stays closed; exactly one stream is live.
    const states = await page.evaluate(() => (window as unknown as { streams: EventSource[] }).streams.map((s) => s.readyState));
    expect(states.filter((s) => s < 2)).toHaveLength(1);
  });
});
