import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSS_BUDGET_BYTES, JS_BUDGET_BYTES, measure } from '../../scripts/bundle-size.mjs';
import { adminApi, newPage, PHONE, sendExposures, shot, signIn, startStack } from './harness.ts';

// The scenario, in order, in one browser session: sign in, create a flag, add a rule,
// roll out to 25%, flip the kill switch in production, find it all in the audit log.
let stack: Awaited<ReturnType<typeof startStack>>;
let page: Page;
const FLAG = 'invoice-reminders';

beforeAll(async () => {
  stack = await startStack();
  ({ page } = await newPage(stack.browser));
});
afterAll(async () => {
  await stack?.browser.close();
  await stack?.worker.dispose();
});

/** Answers the open production confirmation with a reason. */
async function confirmProduction(p: Page, reason: string, button: string): Promise<void> {
  const dialog = p.getByRole('dialog');
  await dialog.getByLabel('Reason (audit log)').fill(reason);
  await dialog.getByRole('button', { name: button }).click();
}

/** A server SDK listening to production's stream, so the kill switch has a client to reach. */
async function connectProductionClient(): Promise<AbortController> {
  const key = await adminApi<{ secret: string }>(stack.worker, 'POST', '/sdk-keys', {
    kind: 'server',
    environment: 'production',
    name: 'e2e stream',
  });
  const abort = new AbortController();
  const res = await fetch(`${stack.worker.url}/sdk/v1/stream`, {
    headers: { Authorization: `Bearer ${key.secret}`, Accept: 'text/event-stream' },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  // Drain the stream in the background like an SDK would.
  void res.body?.pipeTo(new WritableStream()).catch(() => undefined);
  return abort;
}

describe('admin app against the real Worker', () => {
  it('builds within its gzip budget', () => {
    const size = measure();
    expect(size.js).toBeGreaterThan(1000);
    expect(size.js).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    expect(size.css).toBeLessThanOrEqual(CSS_BUDGET_BYTES);
  });

  it('signs in with an admin token and lists the seeded flags with their state per environment', async () => {
    await page.goto(`${stack.worker.url}/flags`);
    await shot(page, 'sign-in-desktop');
    await page.getByLabel('Admin token').fill('efa_NotARealToken0000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/^That admin token is unknown or revoked/).waitFor();
    // A server SDK key pasted by mistake is named as such, not called unknown.
    await page.getByLabel('Admin token').fill(stack.worker.keys.server);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/^That is a server SDK key/).waitFor();
    // Focus comes back in an effect after the message renders: wait for it rather than race it.
    await page.waitForFunction(() => document.activeElement?.id === 'token', undefined, { timeout: 10_000 });
    await signIn(page, stack.worker.url, stack.worker.keys.admin);
    const row = page.getByRole('row', { name: /New PDF engine/ });
    await row.getByText('5% on').first().waitFor();
    expect(await page.getByRole('link', { name: 'Keys' }).count()).toBe(1);
    await shot(page, 'flags-desktop');
  });

  it('creates a flag', async () => {
    await page.getByRole('link', { name: 'New flag' }).click();
    await page.getByLabel('Key').fill(FLAG);
    await page.getByLabel('Name').fill('Invoice reminders');
    await page.getByLabel('Owner').fill('billing');
    // An experiment: a hand-set percentage in production is allowed for it; a release flag goes
    // through a release plan there (the release policy, docs/policies.md).
    await page.getByLabel('Type').selectOption('experiment');
    await page.getByLabel('Ends').fill('2027-06-30');
    await page.getByLabel('Primary metric').fill('reminder-paid');
    await page.getByLabel('Tags (comma-separated)').fill('billing, email');
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.getByRole('heading', { name: /Invoice reminders/, level: 1 }).waitFor();
    expect(page.url()).toContain(`/flags/${FLAG}`);
  });

  it('adds a rule in production, showing the API validation message next to the field first', async () => {
    await page.getByRole('button', { name: 'Production' }).click();
    await page.getByRole('heading', { name: /Production/, level: 2 }).waitFor();
    await page.getByRole('button', { name: '+ Rule' }).click();
    await page.getByLabel('Rule name').fill('Paying plans');
    await page.locator('#rule-0-c0-attr').fill('seats');
    await page.locator('#rule-0-c0-op').selectOption('gt');
    await page.locator('#rule-0-c0-values').fill('many');
    await page.locator('#rule-0-c0-values').press('Tab');
    await page.getByRole('button', { name: 'Save targeting' }).click();
    await confirmProduction(page, 'paying plans first', 'Save in production');
    const error = page.locator('#rule-0-c0-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('compares numbers');
    await shot(page, 'rule-validation-desktop');

    await page.locator('#rule-0-c0-attr').fill('plan');
    await page.locator('#rule-0-c0-op').selectOption('in');
    await page.locator('#rule-0-c0-values').fill('pro, enterprise');
    await page.locator('#rule-0-c0-values').press('Tab');
    await page.getByRole('button', { name: 'Save targeting' }).click();
    const changes = page.getByRole('dialog').getByRole('list', { name: 'What changes' });
    expect(await changes.textContent()).toContain('plan is one of pro, enterprise → on');
    await confirmProduction(page, 'paying plans first', 'Save in production');
    await page.getByText(/Saved targeting in production/).waitFor();
    const flag = await adminApi<{ environments: Record<string, { rules: unknown[] }> }>(stack.worker, 'GET', `/flags/${FLAG}`);
    expect(flag.environments.production?.rules).toEqual([
      { name: 'Paying plans', conditions: [{ attribute: 'plan', op: 'in', values: ['pro', 'enterprise'] }], serve: { variant: 'on' } },
    ]);
  });

  it('asks for confirmation with a reason before a production rollout, previewing its impact, and audits the reason', async () => {
    // 200 free-plan users seen by a production SDK (exposures carry their contexts).
    await sendExposures(
      stack.worker,
      'production',
      Array.from({ length: 200 }, (_, i) => ({ flag: FLAG, variant: 'off', context: { targetingKey: `u${i}`, plan: 'free' } })),
    );
    await page.getByRole('button', { name: '25%' }).click();
    // The sample reached the preview (events → queue → D1 → impact route). The flag is still off in
    // production, so the rollout changes nobody yet, and the preview says exactly that.
    const preview = page.getByText(/of 200 recent contexts would get a different value/).first();
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/^0 of 200/);
    await shot(page, 'impact-preview-desktop');
    await page.getByRole('button', { name: 'Apply rollout' }).click();
    // Nothing is written until the admin confirms what changes, having seen who it reaches, and says why.
    const dialog = page.getByRole('dialog', { name: `Roll out ${FLAG} to 25% in Production?` });
    expect(await dialog.getByRole('list', { name: 'What changes' }).textContent()).toMatch(/Default rule.*off.*25% on/);
    await dialog.getByText(/^0 of 200 recent contexts would get a different value/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Roll out to 25%' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Reason (audit log)').fill('first quarter of customers');
    await shot(page, 'rollout-confirm-desktop', { fullPage: false });
    const before = await adminApi<{ version: number }>(stack.worker, 'GET', `/flags/${FLAG}/environments/production`);
    await dialog.getByRole('button', { name: 'Roll out to 25%' }).click();
    await page.getByText(/25% get on\./).waitFor();
    const { entries } = await adminApi<{ entries: { action: string; reason: string | null; environment: string | null }[] }>(
      stack.worker,
      'GET',
      `/audit?flag=${FLAG}&limit=1`,
    );
    expect(entries[0]).toMatchObject({ action: 'flag.rollout', environment: 'production', reason: 'first quarter of customers' });
    const config = await adminApi<{ defaultServe: unknown; version: number }>(
      stack.worker,
      'GET',
      `/flags/${FLAG}/environments/production`,
    );
    // Applied once, with the version the dialog was opened at.
    expect(config.version).toBe(before.version + 1);
    expect(config.defaultServe).toEqual({
      split: [
        { variant: 'on', weight: 25 },
        { variant: 'off', weight: 75 },
      ],
    });
  });

  it('flips the kill switch in production after confirmation and reports the delivery', async () => {
    const client = await connectProductionClient();
    try {
      const toggle = page.getByRole('switch', { name: `${FLAG} in Production` });
      await toggle.click();
      await confirmProduction(page, 'reminders go live', 'Turn on in production');
      await page.getByText('Switched on in production').waitFor();
      await expect.poll(() => toggle.isChecked()).toBe(true);

      await toggle.click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.textContent()).toContain('Emergency action.');
      // Who it reaches: the hub's count of streams open in production (the client connected above).
      const connected = dialog.getByTestId('connected-now');
      await connected.waitFor();
      expect(await connected.textContent()).toMatch(/^: [1-9]\d* connected now \(/);
      await dialog.getByLabel('Reason (audit log)').fill('reminders double-sent');
      await shot(page, 'kill-switch-confirm-desktop', { fullPage: false });
      await dialog.getByRole('button', { name: 'Kill switch — serve off to everyone' }).click();
      await page.getByText('Switched off in production').waitFor();
      await expect.poll(() => toggle.isChecked()).toBe(false);
      expect(Number(await page.getByTestId('delivered').textContent())).toBeGreaterThanOrEqual(1);
      await shot(page, 'kill-switch-desktop');
    } finally {
      client.abort();
    }
  });

  it('finds every step in the audit log, with diffs', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Flag or resource key').fill(FLAG);
    await page.getByLabel('Flag or resource key').press('Enter');
    await page.getByText('reminders double-sent').waitFor();
    await page.getByText('first quarter of customers').waitFor();
    // Polls because the unfiltered log shows first and the filtered answer replaces it.
    await expect
      .poll(() => page.locator('.audit-entry .audit-code').allTextContents())
      .toEqual(['flag.disable', 'flag.enable', 'flag.rollout', 'config.update', 'flag.create']);
    await page.getByText('paying plans first').waitFor();
    const rollout = (await page.locator('.audit-entry').nth(2).locator('.diff-after').allTextContents()).join(' ');
    expect(rollout).toContain('on 25%');
    await shot(page, 'audit-desktop');
  });

  it('shows a change made elsewhere without a reload', async () => {
    await page.getByRole('link', { name: 'Flags' }).first().click();
    const cell = page
      .getByRole('row', { name: /Maintenance mode/ })
      .getByRole('cell')
      .nth(4);
    expect(await cell.textContent()).toContain('Off');
    // The app holds a push stream to each environment's hub (GET /environments/{env}/changes).
    await expect
      .poll(
        async () =>
          (await adminApi<{ connections: { admin: number } }>(stack.worker, 'GET', '/environments/staging/hub')).connections.admin,
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(1);
    const { version } = await adminApi<{ version: number }>(stack.worker, 'GET', '/flags/maintenance-mode/environments/staging');
    await adminApi(stack.worker, 'POST', '/flags/maintenance-mode/environments/staging/toggle', {
      enabled: true,
      version,
      reason: 'elsewhere',
    });
    await cell.getByText('On').waitFor({ timeout: 20_000 });
  });

  it('works on a phone: list, flag page and a toggle', async () => {
    const { context, page: phone } = await newPage(stack.browser, PHONE);
    await signIn(phone, stack.worker.url, stack.worker.keys.admin);
    await shot(phone, 'flags-phone');
    await phone.goto(`${stack.worker.url}/flags/${FLAG}?env=production`);
    await phone.getByRole('heading', { name: /Invoice reminders/, level: 1 }).waitFor();
    const dev = phone.getByRole('switch', { name: `${FLAG} in Development` });
    await dev.click();
    await phone.getByText('Switched on in development').waitFor();
    await shot(phone, 'flag-phone');
    // The production confirmation fits a phone: what changes, the impact, the reason, the buttons.
    await phone.getByRole('switch', { name: `${FLAG} in Production` }).click();
    const dialog = phone.getByRole('dialog');
    await dialog
      .getByText(/recent contexts|No recent contexts/)
      .first()
      .waitFor();
    await shot(phone, 'production-confirm-phone', { fullPage: false });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await phone.getByRole('button', { name: '50%' }).click();
    await phone.getByRole('button', { name: 'Apply rollout' }).click();
    await phone.getByRole('dialog').getByLabel('Reason (audit log)').fill('half of everyone');
    await shot(phone, 'rollout-confirm-phone', { fullPage: false });
    await phone.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await phone.getByRole('link', { name: 'Audit log' }).click();
    await phone.getByText('flag.enable').first().waitFor();
    await shot(phone, 'audit-phone');
    await context.close();
  });

  it('follows the role: a viewer cannot edit', async () => {
    const viewer = await adminApi<{ secret: string }>(stack.worker, 'POST', '/admin-tokens', { name: 'support', role: 'viewer' });
    const { context, page: p } = await newPage(stack.browser);
    await signIn(p, stack.worker.url, viewer.secret);
    expect(await p.getByRole('link', { name: 'New flag' }).count()).toBe(0);
    expect(await p.getByRole('link', { name: 'Keys' }).count()).toBe(0);
    await p.goto(`${stack.worker.url}/flags/${FLAG}?env=production`);
    await p.getByRole('heading', { name: /Production/, level: 2 }).waitFor();
    expect(await p.getByRole('switch', { name: `${FLAG} in Production` }).isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Save targeting' }).count()).toBe(0);
    await shot(p, 'viewer-desktop');
    await context.close();
  });

  it('reverts production to the configuration before the rollout, from the audit log (issue 11 §1)', async () => {
    await page.goto(`${stack.worker.url}/audit?flag=${FLAG}&env=production`);
    const entry = page.locator('.audit-entry', { has: page.locator('.audit-code', { hasText: /^config\.update$/ }) });
    await entry.getByRole('button', { name: 'Revert to this version' }).click();
    const changes = page.getByRole('dialog').getByRole('list', { name: 'What changes' });
    expect(await changes.textContent()).toContain('Default rule');
    await confirmProduction(page, 'rollout was premature', 'Revert');
    await page.getByText(/Reverted invoice-reminders in Production/).waitFor();
    const config = await adminApi<{ defaultServe: unknown; rules: unknown[]; enabled: boolean }>(
      stack.worker,
      'GET',
      `/flags/${FLAG}/environments/production`,
    );
    expect(config).toMatchObject({ enabled: false, defaultServe: { variant: 'off' } });
    expect(config.rules).toHaveLength(1);
    await page
      .locator('.audit-entry .audit-code', { hasText: /^config\.revert$/ })
      .first()
      .waitFor();
  });
});
