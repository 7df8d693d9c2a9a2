import path from 'node:path';
import { LatencySketch } from '@edgeflags/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastFailures, unnamedControls } from './a11y.ts';
import { adminApi, newPage, PHONE, SCREENSHOTS, shot, signIn, startStack } from './harness.ts';

// A guarded release driven from the app against the real Worker, with time compressed: start a
// plan in production (manual gates at 10% and 100%, deciding every 2 s), feed it healthy
// metrics as a server SDK would, see it waiting in the flags list, approve the gate, and read the
// timeline. Then the same pages at phone width.
let stack: Awaited<ReturnType<typeof startStack>>;
let page: Page;
let feeding: ReturnType<typeof setInterval> | undefined;
const FLAG = 'new-pdf-engine';
const WINDOW_S = 2;

interface Live {
  id: string;
  flagKey: string;
  environment: string;
  status: string;
  currentStage: number;
}

beforeAll(async () => {
  stack = await startStack();
  ({ page } = await newPage(stack.browser));
});
afterAll(async () => {
  clearInterval(feeding);
  await stack?.browser.close();
  await stack?.worker.dispose();
});

/** Healthy traffic in both variants (no errors, similar latency), as the Node SDK reports it. */
async function feedMetrics(secret: string): Promise<void> {
  const latency = (base: number) => {
    const s = new LatencySketch();
    for (let i = 0; i < 200; i++) s.add(base + (i % 40));
    return s.toJSON();
  };
  const summaries = [
    { flag: FLAG, variant: 'on', count: 200, errors: 0, latency: latency(110) },
    { flag: FLAG, variant: 'off', count: 200, errors: 0, latency: latency(105) },
  ];
  await fetch(`${stack.worker.url}/sdk/v1/metrics`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ windowMs: 1000, summaries }),
  });
}

async function planStatus(): Promise<Live | undefined> {
  const { releases } = await adminApi<{ releases: Live[] }>(stack.worker, 'GET', `/flags/${FLAG}/environments/production/releases`);
  return releases[0];
}

async function waitForStatus(want: (p: Live) => boolean, what: string): Promise<Live> {
  for (let i = 0; i < 120; i++) {
    const p = await planStatus();
    if (p && want(p)) return p;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the plan never became ${what}: ${JSON.stringify(await planStatus())}`);
}

/** The release panel alone (full-page shots put the sticky top bar over the middle of a long page). */
async function shotPanel(p: Page, name: string): Promise<void> {
  await p.addStyleTag({ content: '.topbar { position: static !important; }' });
  await p.locator('section.release').screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Nothing wider than the viewport: no sideways scrolling on a phone. */
async function assertNoSideScroll(p: Page): Promise<void> {
  const { scroll, width } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

describe('guarded release in the admin app', () => {
  it('starts a plan in production from an edited template, confirmed with a reason', async () => {
    await signIn(page, stack.worker.url, stack.worker.keys.admin);
    await page.goto(`${stack.worker.url}/flags/${FLAG}?env=production`);
    await page.getByRole('heading', { name: 'Guarded release' }).waitFor();
    await page.getByRole('button', { name: 'New release' }).click();
    await page.getByLabel('Template').selectOption('seed-003');
    await page.getByLabel('Stage 4 Percentage').waitFor();
    // 1% (manual) → 10% → 25% (manual) → 100%, edited to 10% (manual) → 100%, no waiting.
    await page.getByRole('button', { name: 'Remove stage 3' }).click();
    await page.getByRole('button', { name: 'Remove stage 2' }).click();
    await page.getByLabel('Stage 1 Percentage').fill('10');
    for (const stage of [1, 2]) {
      await page.getByLabel(`Stage ${stage} Min duration (s)`).fill('0');
      await page.getByLabel(`Stage ${stage} Min samples per variant`).fill('20');
    }
    expect(await page.getByLabel('Stage 1 Approval').inputValue()).toBe('manual');
    // A gate at 100% too, so the plan is still live when the phone looks at it.
    await page.getByLabel('Stage 2 Approval').selectOption('manual');
    await page.getByLabel('Decide every (s)').fill(String(WINDOW_S));
    await shotPanel(page, 'release-new-desktop');
    expect(await unnamedControls(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start release' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('list', { name: 'What changes' }).textContent()).toMatch(/5% on.*10% on/);
    await dialog.getByLabel('Reason (audit log)').fill('new PDF engine, guarded');
    await dialog.getByRole('button', { name: 'Start release' }).click();
    await page.getByText(/In progress:.*stage 1 of 2/).waitFor();
    const plan = await planStatus();
    expect(plan).toMatchObject({ status: 'running', currentStage: 0 });
  });

  it('reaches the manual gate on healthy metrics and shows it in the flags list', async () => {
    const key = await adminApi<{ secret: string }>(stack.worker, 'POST', '/sdk-keys', {
      kind: 'server',
      environment: 'production',
      name: 'e2e metrics',
    });
    feeding = setInterval(() => void feedMetrics(key.secret).catch(() => undefined), 500);
    await waitForStatus((p) => p.status === 'waiting_approval', 'waiting for approval');
    await page.getByRole('link', { name: 'Flags' }).first().click();
    const row = page.getByRole('row', { name: /New PDF engine/ });
    await row.getByText('Release: stage 1 of 2 · waiting for approval').waitFor();
    await shot(page, 'release-flags-desktop');
  });

  it('approves the gate in production, and the timeline shows each decision with its evidence', async () => {
    await page.goto(`${stack.worker.url}/flags/${FLAG}?env=production`);
    await page.getByText(/In progress:.*waiting for approval/).waitFor();
    // The health charts drew the windows the metrics filled.
    await page.getByRole('img', { name: /^Samples, latest window: treatment \d/ }).waitFor();
    await shotPanel(page, 'release-waiting-desktop');
    await page.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('list', { name: 'What changes' }).textContent()).toMatch(/10% on.*100% on/);
    await dialog.getByLabel('Reason (audit log)').fill('gate looks healthy');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await waitForStatus((p) => p.currentStage === 1 && p.status === 'waiting_approval', 'at the second gate');
    await page.getByText(/In progress:.*stage 2 of 2 · waiting for approval/).waitFor();
    const decisions = page.getByRole('list', { name: 'Decisions' });
    await decisions.getByText('approve', { exact: true }).waitFor();
    const text = await decisions.textContent();
    expect(text).toMatch(/wait approval · stage 1 · rule manual_approval/);
    expect(text).toMatch(/treatment: [\d,]+ requests, 0 errors/);
    expect(text).toContain('release conductor');
    const stages = page.getByRole('list', { name: 'Stages' });
    expect(await stages.locator('li').first().getAttribute('class')).toBe('stage-done');
    await shotPanel(page, 'release-approved-desktop');
    expect(await contrastFailures(page)).toEqual([]);
  });

  it('works at phone width: the list state, the panel and the timeline fit the screen', async () => {
    const phone = await newPage(stack.browser, PHONE);
    await signIn(phone.page, stack.worker.url, stack.worker.keys.admin);
    await phone.page
      .getByRole('row', { name: /New PDF engine/ })
      .getByText('Release: stage 2 of 2 · waiting for approval')
      .waitFor();
    await assertNoSideScroll(phone.page);
    await shot(phone.page, 'release-flags-phone');
    await phone.page.goto(`${stack.worker.url}/flags/${FLAG}?env=production`);
    await phone.page.getByRole('list', { name: 'Decisions' }).waitFor();
    await phone.page.getByRole('heading', { name: 'Guarded release' }).scrollIntoViewIfNeeded();
    await assertNoSideScroll(phone.page);
    await shotPanel(phone.page, 'release-panel-phone');
    expect(await contrastFailures(phone.page)).toEqual([]);
    await phone.context.close();
  });
});
