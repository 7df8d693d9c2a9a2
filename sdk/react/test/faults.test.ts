// @edgeflags/react in headless Chromium when the edge fails: refused, 5xx, a garbage body, a
// request that never answers, a stream that drops. The page must leave its loading state within
// `timeoutMs`, render fallbacks, raise no error or unhandled rejection, and say in the console
// what it serves. The edge is faked at the network layer (Playwright routes), so no Worker runs.
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test-support.mjs';
import { servePage } from './page/serve-page.ts';

const EDGE = 'http://edge.test';
const CORS = { 'access-control-allow-origin': '*' };

let page$: Awaited<ReturnType<typeof servePage>>;
let browser: Browser;
beforeAll(async () => {
  [page$, browser] = await Promise.all([servePage(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await page$?.close();
});

const FAULTS: Record<string, (route: Route) => Promise<void> | void> = {
  refused: (route) => route.abort('connectionrefused'),
  '503': (route) =>
    route.fulfill({ status: 503, headers: CORS, contentType: 'application/json', body: '{"error":{"code":"unavailable"}}' }),
  garbage: (route) => route.fulfill({ status: 200, headers: CORS, contentType: 'application/json', body: '<html>502 Bad Gateway</html>' }),
  // Never answered: the client's own timeout must end the wait.
  hang: () => {},
};

describe('@edgeflags/react when the edge fails', () => {
  it.each(Object.keys(FAULTS))('%s: leaves loading within timeoutMs, renders fallbacks, throws nothing', async (fault) => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const warnings: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.route(`${EDGE}/**`, FAULTS[fault]!);
      await page.addInitScript(
        (json: string) => {
          const w = window as unknown as Record<string, unknown>;
          w.edgeflags = JSON.parse(json);
          w.rejections = [];
          addEventListener('unhandledrejection', (e) => (w.rejections as string[]).push(String(e.reason)));
        },
        JSON.stringify({ url: EDGE, clientKey: 'efc_x', context: { targetingKey: 'u1' }, timeoutMs: 1000 }),
      );
      const started = Date.now();
      await page.goto(page$.url);
      await page.waitForFunction(() => document.getElementById('dashboard')?.textContent !== 'loading', null, { timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(await page.locator('#dashboard').textContent()).toBe('disabled undefined');
      expect(await page.locator('#chatbot').textContent()).toBe('chat off');
      expect(await page.locator('#maintenance').textContent()).toBe('maintenance off');
      expect(await page.evaluate(() => (window as unknown as { rejections: string[] }).rejections)).toEqual([]);
      expect(problems).toEqual([]);
      expect(warnings.filter((w) => w.startsWith('edgeflags:'))).toEqual([expect.stringMatching(/; serving fallbacks$/)]);
    } finally {
      await context.close();
    }
  });

  it('drop: a stream the edge keeps cutting is reopened with backoff while the page keeps its values', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      let streams = 0;
      await page.route(`${EDGE}/**`, (route) => {
        if (route.request().url().includes('/sdk/v1/stream')) {
          streams++;
          // Headers, then the connection ends: a dropped stream as EventSource sees it.
          return route.fulfill({ status: 200, headers: CORS, contentType: 'text/event-stream', body: ': hello\n\n' });
        }
        const flags = { 'ai-chatbot': { value: true, variant: 'on', reason: 'DEFAULT' } };
        return route.fulfill({ status: 200, headers: CORS, json: { environment: 'development', version: 5, flags } });
      });
      await page.addInitScript(
        (json: string) => {
          (window as unknown as Record<string, unknown>).edgeflags = JSON.parse(json);
        },
        JSON.stringify({ url: EDGE, clientKey: 'efc_x', context: { targetingKey: 'u1' }, timeoutMs: 1000 }),
      );
      await page.goto(page$.url);
      await page.waitForFunction(() => document.getElementById('chatbot')?.textContent === 'chat on', null, { timeout: 10_000 });
      const deadline = Date.now() + 10_000;
      while (streams < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(streams).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#chatbot').textContent()).toBe('chat on');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
