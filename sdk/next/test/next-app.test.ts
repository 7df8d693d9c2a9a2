// The middleware in a real Next.js app: built with `next build`, run with `next start`,
// against a real Worker (wrangler dev, seeded). Once for `proxy.ts` (Node runtime, Next 16's
// default) and once for `middleware.ts` (edge runtime).
import { compileSnapshot } from '@edgeflags/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWorker } from '../../../scripts/local-worker.mjs';
import { launchChromium } from '../../../scripts/test-support.mjs';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { get, text, until, variantOf } from './http.ts';
import { APP_DIR, buildApp, builtForEdge, prepareEdgeApp, type RunningApp, startApp } from './next-app.ts';

const REVALIDATE_MS = 300;
type Worker = Awaited<ReturnType<typeof startLocalWorker>>;

async function toggle(worker: Worker, flag: string, enabled: boolean): Promise<void> {
  const path = `${worker.url}/api/v1/flags/${flag}/environments/development`;
  const authorization = `Bearer ${worker.keys.admin}`;
  // Switching on (out of the protective state) is guarded by the config's version.
  const { version } = (await (await fetch(path, { headers: { authorization } })).json()) as { version: number };
  const res = await fetch(`${path}/toggle`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ enabled, version, reason: 'next sdk test' }),
  });
  expect(res.status).toBe(200);
}

let worker: Worker;
let proxy: FaultProxy;
let browser: Browser;
beforeAll(async () => {
  worker = await startLocalWorker();
  proxy = await startFaultProxy(worker.url);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await worker?.dispose();
});

/** What @edgeflags/core says about the dashboard A/B for an id, from the Worker's own snapshot. */
async function expectedVariant(id: string): Promise<string | undefined> {
  const res = await fetch(`${worker.url}/sdk/v1/snapshot`, { headers: { authorization: `Bearer ${worker.keys.server}` } });
  return compileSnapshot(await res.json()).evaluate('redesigned-dashboard', { targetingKey: id, plan: 'free', country: 'US' }).variant;
}

describe.each([
  { runtime: 'nodejs', file: 'proxy.ts', dir: () => APP_DIR },
  { runtime: 'edge', file: 'middleware.ts', dir: prepareEdgeApp },
])('next start with $file ($runtime runtime)', ({ runtime, dir }) => {
  let appDir: string;
  let app: RunningApp;
  beforeAll(async () => {
    appDir = dir();
    const ms = await buildApp(appDir);
    console.info(`next build (${runtime}) took ${(ms / 1000).toFixed(1)} s`);
    app = await startApp(appDir, {
      EDGEFLAGS_URL: proxy.url,
      EDGEFLAGS_SERVER_KEY: worker.keys.server,
      EDGEFLAGS_CLIENT_KEY: worker.keys.client,
      // Browsers talk to the Worker directly; the server goes through the fault proxy.
      EDGEFLAGS_PUBLIC_URL: worker.url,
      EDGEFLAGS_REVALIDATE_MS: String(REVALIDATE_MS),
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('builds the middleware for the intended runtime', () => {
    expect(builtForEdge(appDir)).toBe(runtime === 'edge');
  });

  it('sets a sticky anonymous id and keeps the visitor in the same variant', async () => {
    const first = await get(app, '/dashboard');
    expect(first.status).toBe(200);
    expect(first.newId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.setCookie).toMatch(/Path=\//);
    expect(first.setCookie).toMatch(/SameSite=lax/i);
    expect(first.setCookie).toMatch(/Max-Age=34560000/);
    // Readable by the browser SDK (see anonymous-id.ts), and not Secure on plain http.
    expect(first.setCookie).not.toMatch(/HttpOnly|Secure/i);
    const variant = variantOf(first.html);
    expect(variant).toBe(await expectedVariant(first.newId!));

    for (let i = 0; i < 3; i++) {
      const again = await get(app, '/dashboard', { cookie: `ef_id=${first.newId}` });
      expect(again.newId).toBeUndefined();
      expect(variantOf(again.html)).toBe(variant);
    }
    const home = await get(app, '/', { cookie: `ef_id=${first.newId}` });
    expect(text(home.html, 'targeting-key')).toBe(first.newId);
    // Behind a TLS-terminating proxy the cookie is Secure.
    expect((await get(app, '/', { headers: { 'x-forwarded-proto': 'https' } })).setCookie).toMatch(/; Secure/i);
  });

  it('splits visitors between the control and treatment pages while the URL stays /dashboard', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 24; i++) {
      const page = await get(app, '/dashboard');
      expect(page.status).toBe(200);
      expect(page.headers.get('location')).toBeNull();
      const variant = variantOf(page.html)!;
      // The page rendered is the variant the flag served, as the server component reads it.
      expect(text(page.html, 'dashboard-flag')).toBe(variant);
      seen.set(page.newId!, variant);
    }
    expect(new Set(seen.values())).toEqual(new Set(['control', 'treatment']));
    for (const [id, variant] of [...seen].slice(0, 6)) expect(variant).toBe(await expectedVariant(id));
  });

  it('lets server components read client-visible and server-only flags, and bootstraps the client with client-visible ones only', async () => {
    const free = await get(app, '/?user=u-1&plan=free&account=acct-ent-001', { headers: { 'x-country': 'GB' } });
    expect(text(free.html, 'evaluated')).toBe('evaluated');
    expect(text(free.html, 'targeting-key')).toBe('u-1');
    expect(free.newId).toBeUndefined(); // a known user needs no anonymous id
    expect(text(free.html, 'server-chatbot')).toBe('chatbot on');
    expect(text(free.html, 'server-bulk')).toBe('bulk on'); // server-only flag, targeted by account
    // The client component's first render (in the HTML, before any JS) already has the flags.
    expect(text(free.html, 'client-chatbot')).toBe('chatbot on');
    expect(text(free.html, 'client-loading')).toBe('ready');
    // The bootstrap payload travels in the RSC data embedded in the HTML…
    expect(free.html).toMatch(/\\"environment\\":\\"development\\"/);
    expect(free.html).toContain('redesigned-dashboard');
    // …without the server-only flag, and the internal header never reaches the browser.
    expect(free.html).not.toContain('bulk-invoice-api');
    expect(free.headers.get('x-edgeflags')).toBeNull();

    const pro = await get(app, '/?user=u-1&plan=pro', { headers: { 'x-country': 'GB' } });
    expect(text(pro.html, 'server-chatbot')).toBe('chatbot off');
    expect(text(pro.html, 'client-chatbot')).toBe('chatbot off');
    expect(text(pro.html, 'server-bulk')).toBe('bulk off');
  });

  it('hydrates in Chromium with the bootstrapped values, never showing another one', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const evaluations: string[] = [];
      const exposed: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/sdk/v1/evaluate')) evaluations.push(r.url());
        if (r.url().includes('/sdk/v1/events'))
          exposed.push(...JSON.parse(r.postData() ?? '{"events":[]}').events.map((e: { flag: string }) => e.flag));
      });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Records every value the flag-driven elements ever show, from the first parsed byte on.
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        const note = () => {
          for (const id of ['client-chatbot', 'client-variant', 'dashboard']) {
            const el = document.getElementById(id);
            const value = el && `${id}=${el.dataset.variant ?? el.textContent}`;
            if (value && seen.at(-1) !== value && !seen.includes(value)) seen.push(value);
          }
        };
        new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.goto(`${app.url}/dashboard?plan=free`);
      await page.waitForSelector('body[data-hydrated="true"]');
      expect(new URL(page.url()).pathname).toBe('/dashboard');
      const id = (await context.cookies()).find((c) => c.name === 'ef_id')!;
      expect(id.httpOnly).toBe(false);
      // The browser SDK can read the sticky id: the same targeting key the server used.
      expect(await page.evaluate(() => document.cookie)).toContain(`ef_id=${id.value}`);
      const variant = await expectedVariant(id.value);
      const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
      expect(seen.sort()).toEqual([`client-chatbot=chatbot on`, `client-variant=${variant}`, `dashboard=${variant}`].sort());
      expect(evaluations).toEqual([]); // bootstrapped: no request before (or after) first paint
      expect(errors.filter((e) => /hydrat/i.test(e))).toEqual([]);

      // Hiding the tab sends the browser's exposures. The middleware already reported the A/B
      // rewrite for this visitor, so the browser reports only what it alone saw.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await until(
        async () => exposed,
        (e) => e.length > 0,
      );
      expect(exposed).toEqual(['ai-chatbot']);
    } finally {
      await context.close();
    }
  });

  it('ignores an x-edgeflags header sent by the client', async () => {
    const forged = JSON.stringify({
      e: 'development',
      v: 999,
      k: 'attacker',
      f: { 'ai-chatbot': [true, 'STATIC'] },
      p: { 'bulk-invoice-api': [true, 'STATIC'] },
    });
    // Nor does a guessed pass marker make the middleware keep a forged header.
    const page = await get(app, '/?user=u-2&plan=pro', { headers: { 'x-edgeflags': forged, 'x-edgeflags-pass': 'guess' } });
    expect(text(page.html, 'targeting-key')).toBe('u-2');
    expect(text(page.html, 'server-chatbot')).toBe('chatbot off');
    expect(text(page.html, 'server-bulk')).toBe('bulk off');
  });

  it('reports an A/B rewrite as one exposure per visitor and variant, without blocking the page', async () => {
    const page = await get(app, '/dashboard');
    const id = page.newId!;
    await get(app, '/dashboard', { cookie: `ef_id=${id}` });
    const mine = () =>
      proxy.events
        .flatMap((r) => r.body.events.map((e): Record<string, unknown> => ({ ...e, status: r.status })))
        .filter((e) => e.contextKey === id);
    const events = await until(
      async () => mine(),
      (e) => e.length > 0,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ flag: 'redesigned-dashboard', variant: variantOf(page.html), reason: 'SPLIT', status: 202 });
    expect(events[0]!.context).toMatchObject({ targetingKey: id, plan: 'free', country: 'US' });

    // A browser prefetch renders the variant but nobody saw it: no exposure. A real visit right
    // after it is the marker: once its exposure arrived, the prefetch's would have too.
    const unseen = (await get(app, '/dashboard', { headers: { 'sec-purpose': 'prefetch' } })).newId!;
    const marker = (await get(app, '/dashboard')).newId!;
    const sent = () => proxy.events.flatMap((r) => r.body.events).map((e) => e.contextKey);
    await until(
      async () => sent(),
      (keys) => keys.includes(marker),
    );
    expect(sent()).toContain(marker);
    expect(sent()).not.toContain(unseen);
  });

  it('shows a kill switch within the revalidation bound', async () => {
    const probe = () => get(app, '/?user=u-3&plan=free');
    expect(text((await probe()).html, 'server-chatbot')).toBe('chatbot on');
    await toggle(worker, 'ai-chatbot', false);
    try {
      const off = await until(probe, (p) => text(p.html, 'server-chatbot') === 'chatbot off');
      expect(text(off.html, 'server-chatbot')).toBe('chatbot off');
      expect(text(off.html, 'client-chatbot')).toBe('chatbot off');
    } finally {
      await toggle(worker, 'ai-chatbot', true);
    }
    const on = await until(probe, (p) => text(p.html, 'server-chatbot') === 'chatbot on');
    expect(text(on.html, 'server-chatbot')).toBe('chatbot on');
  });

  it('keeps serving the last snapshot while the Worker is down', async () => {
    const before = proxy.snapshotRequests();
    proxy.setDown(true);
    try {
      // Long enough for several failed revalidations.
      await new Promise((r) => setTimeout(r, REVALIDATE_MS * 4));
      for (let i = 0; i < 3; i++) {
        const page = await get(app, '/?user=u-4&plan=free');
        expect(page.status).toBe(200);
        expect(text(page.html, 'evaluated')).toBe('evaluated');
        expect(text(page.html, 'server-chatbot')).toBe('chatbot on');
      }
      const dash = await get(app, '/dashboard');
      expect(['control', 'treatment']).toContain(variantOf(dash.html));
    } finally {
      proxy.setDown(false);
    }
    // Revalidation (driven by traffic) resumes once the Worker is back.
    const probe = async () => {
      await get(app, '/?user=u-4&plan=free');
      return proxy.snapshotRequests();
    };
    await until(probe, (n) => n > before);
    expect(proxy.snapshotRequests()).toBeGreaterThan(before);
  });

  it('serves defaults when the Worker is unreachable from a cold start', async () => {
    const cold = await startApp(appDir, { EDGEFLAGS_URL: 'http://127.0.0.1:9', EDGEFLAGS_SERVER_KEY: worker.keys.server });
    try {
      const home = await get(cold, '/?plan=free');
      expect(home.status).toBe(200);
      expect(text(home.html, 'evaluated')).toBe('defaults');
      expect(text(home.html, 'server-chatbot')).toBe('chatbot off');
      expect(home.newId).toMatch(/^[0-9a-f-]{36}$/); // the sticky id does not need the Worker
      const dash = await get(cold, '/dashboard');
      expect(dash.status).toBe(200);
      expect(variantOf(dash.html)).toBe('control'); // no rewrite: /dashboard itself renders the control
      expect(text(dash.html, 'dashboard-flag')).toBe('none');
    } finally {
      await cold.stop();
    }
  });
});
