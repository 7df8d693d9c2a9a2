import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { startLocalWorker } from '../../../scripts/local-worker.mjs';
import { launchChromium } from '../../../scripts/test-support.mjs';

export const WEB_ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(WEB_ROOT, 'test-results/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Worker {
  url: string;
  keys: { admin: string; server: string; client: string };
  dispose: () => Promise<void>;
}

/** Builds web/dist (the Worker serves it as static assets) and starts a fresh, seeded Worker. */
export async function startStack(): Promise<{ worker: Worker; browser: Browser }> {
  // Vitest sets NODE_ENV=test, and Vite then builds a development bundle (about 5 KB gzip more)
  // into the committed web/dist: build exactly what `npm run build` ships, then put it back.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: WEB_ROOT, configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const worker = (await startLocalWorker({ timeoutMs: 120_000 })) as Worker;
  const browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { worker, browser };
}

export async function newPage(browser: Browser, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: viewport.width < 500,
    hasTouch: viewport.width < 500,
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/flags`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Flags', level: 1 }).waitFor();
}

/** A screenshot under test-results/screenshots; `fullPage: false` for dialogs, which cover the viewport only. */
export async function shot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Calls the admin API directly, as another admin or a CI pipeline would. */
export async function adminApi<T>(worker: Worker, method: string, route: string, body?: unknown, token = worker.keys.admin): Promise<T> {
  const res = await fetch(`${worker.url}/api/v1${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Exposure {
  flag: string;
  variant: string;
  context: { targetingKey: string } & Record<string, unknown>;
}

/**
 * Exposures as a server SDK in `environment` sends them (with their contexts), then waits until
 * the queue consumer has written every context to D1, where the impact preview and "who gets
 * what" read them.
 */
export async function sendExposures(worker: Worker, environment: string, exposures: Exposure[]): Promise<void> {
  const key = await adminApi<{ secret: string }>(worker, 'POST', '/sdk-keys', { kind: 'server', environment, name: 'e2e exposures' });
  const events = exposures.map((e) => ({ ...e, contextKey: e.context.targetingKey, at: Date.now() }));
  const res = await fetch(`${worker.url}/sdk/v1/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 202) throw new Error(`POST /sdk/v1/events: ${res.status} ${await res.text()}`);
  const want = new Set(exposures.map((e) => e.context.targetingKey)).size;
  for (let i = 0; i < 240; i++) {
    const { contexts } = await adminApi<{ contexts: unknown[] }>(worker, 'GET', `/environments/${environment}/contexts?limit=1000`);
    if (contexts.length >= want) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the ${environment} contexts never reached D1`);
}
