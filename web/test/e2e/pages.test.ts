import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastFailures, unnamedControls } from './a11y.ts';
import { adminApi, newPage, PHONE, sendExposures, shot, signIn, startStack } from './harness.ts';

// The pages the scenario in admin-app.test.ts does not walk: segments, exposures, who gets what,
// environments, keys and tokens, archiving, and an accessibility sweep of every page.
let stack: Awaited<ReturnType<typeof startStack>>;
let page: Page;
const FLAG = 'ai-chatbot';
const SEGMENT = 'beta-accounts';
const SEEN = 30;

beforeAll(async () => {
  stack = await startStack();
  ({ page } = await newPage(stack.browser));
  // window.confirm() guards the revoke buttons; answering yes is what the tests mean to do.
  page.on('dialog', (d) => void d.accept());
  await signIn(page, stack.worker.url, stack.worker.keys.admin);
  // 30 pro-plan accounts seen in staging, all served "off" (the seeded rule wants the free plan).
  await sendExposures(
    stack.worker,
    'staging',
    Array.from({ length: SEEN }, (_, i) => ({
      flag: FLAG,
      variant: 'off',
      context: { targetingKey: `s${i}`, accountId: `acct-${i}`, plan: 'pro', country: 'US' },
    })),
  );
});
afterAll(async () => {
  await stack?.browser.close();
  await stack?.worker.dispose();
});

/** Every "Loading…" placeholder has been replaced by what it was loading. */
const settled = (p: Page) => p.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading'));

const sdkEvaluate = (secret: string) =>
  fetch(`${stack.worker.url}/sdk/v1/evaluate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ context: { targetingKey: 'probe' } }),
  }).then((r) => r.status);

describe('segments, exposures and who gets what', () => {
  it('creates a segment with included ids and a rule group', async () => {
    await page.goto(`${stack.worker.url}/segments?env=staging`);
    await page.getByRole('button', { name: 'New segment' }).click();
    await page.getByLabel('Key').fill(SEGMENT);
    await page.getByLabel('Name').fill('Beta accounts');
    await page.getByLabel('Attribute').first().fill('accountId');
    await page.getByLabel('Included values').fill('acct-1\nacct-2');
    await page.getByRole('button', { name: '+ Rule group' }).click();
    await page.locator('#seg-new-g0-c0-attr').fill('plan');
    await page.locator('#seg-new-g0-c0-values').fill('enterprise');
    await page.locator('#seg-new-g0-c0-values').press('Tab');
    await shot(page, 'segment-form-desktop');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByText('Saved segment beta-accounts.').waitFor();
    await page.getByText(/2 included · 0 excluded · 1 rule group$/).waitFor();
    const { segments } = await adminApi<{ segments: { key: string; definition: unknown }[] }>(
      stack.worker,
      'GET',
      '/environments/staging/segments',
    );
    expect(segments.find((s) => s.key === SEGMENT)?.definition).toMatchObject({
      attribute: 'accountId',
      included: ['acct-1', 'acct-2'],
      rules: [[{ attribute: 'plan', op: 'equals', values: ['enterprise'] }]],
    });
    await shot(page, 'segments-desktop');
  });

  it('shows the last 24 h of exposures per environment and variant on the flag page', async () => {
    await page.goto(`${stack.worker.url}/flags/${FLAG}?env=staging`);
    const staging = page.locator('.exposure-row[data-env="staging"]');
    await staging.getByText(`off ${SEEN}`).waitFor();
    expect(await page.locator('.exposure-row[data-env="production"]').textContent()).toContain('no exposures');
  });

  it('uses the segment in a rule, previewing the impact on recent contexts before saving', async () => {
    await page.getByRole('button', { name: '+ Rule' }).click();
    await page.locator('#rule-1-c0-op').selectOption('inSegment');
    // Segment membership reads no attribute of the rule: none is asked for.
    expect(await page.locator('#rule-1-c0-attr').count()).toBe(0);
    await page.locator('#rule-1-c0-values').selectOption(SEGMENT);
    // acct-1 and acct-2 are in the segment; the 28 others still fall through to "off".
    const preview = page.getByText(new RegExp(`of ${SEEN} recent contexts would get a different value`));
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/^2 of 30/);
    await shot(page, 'targeting-impact-desktop');
    await page.getByRole('button', { name: 'Save targeting' }).click();
    await page.getByText(/Saved targeting in staging/).waitFor();
    const config = await adminApi<{ rules: unknown[] }>(stack.worker, 'GET', `/flags/${FLAG}/environments/staging`);
    expect(config.rules[1]).toEqual({
      conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: [SEGMENT] }],
      serve: { variant: 'on' },
    });
  });

  it('fills "who gets what" from a recent context and explains the value', async () => {
    await page.getByLabel('Fill from a recent context').selectOption('s1');
    expect(await page.getByLabel('Context (JSON attributes)').inputValue()).toContain('"accountId": "acct-1"');
    await page.getByRole('button', { name: 'Evaluate in staging' }).click();
    const row = page.getByRole('row', { name: new RegExp(FLAG) });
    await row.getByText('TARGETING_MATCH').waitFor();
    expect(await row.textContent()).toContain('true');
    expect(await row.textContent()).toContain('rule 2');
    await shot(page, 'flag-exposures-desktop');
  });

  it('evaluates a typed context for every flag on the who-gets-what page', async () => {
    await page.getByRole('link', { name: 'Who gets what' }).click();
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByLabel('Context (JSON attributes)').fill('{ "targetingKey": "u-42", "plan": "free", "country": "GB" }');
    await page.getByRole('button', { name: /^Evaluate in/ }).click();
    const row = page.getByRole('row', { name: new RegExp(FLAG) });
    await row.getByText('TARGETING_MATCH').waitFor();
    expect(await row.textContent()).toContain('rule 1');
    expect(await page.getByRole('row', { name: /maintenance-mode/ }).textContent()).toContain('false');
    await shot(page, 'evaluate-desktop');
  });
});

describe('variants', () => {
  it('edits a served value on the flag page and SDKs get the new value', async () => {
    await adminApi(stack.worker, 'POST', '/flags', {
      key: 'invoice-theme',
      kind: 'string',
      owner: 'qa',
      variants: { classic: 'classic', modern: 'modern-v1' },
      offVariant: 'classic',
      clientVisible: true,
    });
    const cfg = await adminApi<{ version: number }>(stack.worker, 'GET', '/flags/invoice-theme/environments/development');
    await adminApi(stack.worker, 'PUT', '/flags/invoice-theme/environments/development', {
      version: cfg.version,
      enabled: true,
      offVariant: 'classic',
      defaultServe: { variant: 'modern' },
    });
    await page.goto(`${stack.worker.url}/flags/invoice-theme`);
    await page.getByLabel('Variant 2 value (string)').fill('modern-v2');
    await page.getByRole('button', { name: 'Save variants' }).click();
    // Every environment serves variants, production included: confirmed with what changes and why.
    const dialog = page.getByRole('dialog', { name: 'Change the variants of invoice-theme?' });
    expect(await dialog.getByRole('list', { name: 'What changes' }).textContent()).toContain('"modern-v1"');
    await dialog.getByLabel('Reason (audit log)').fill('v2 theme');
    await dialog.getByRole('button', { name: 'Save variants everywhere' }).click();
    await page.getByText('Saved variants.').waitFor();
    const res = await fetch(`${stack.worker.url}/sdk/v1/evaluate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.worker.keys.client}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ context: { targetingKey: 'u1' } }),
    });
    const { flags } = (await res.json()) as { flags: Record<string, { value: unknown }> };
    expect(flags['invoice-theme']?.value).toBe('modern-v2');

    // Removing the variant development serves is refused, with the environment named.
    await page.getByRole('button', { name: 'Remove' }).nth(1).click();
    await page.getByRole('button', { name: 'Save variants' }).click();
    await page.getByRole('dialog').getByLabel('Reason (audit log)').fill('drop modern');
    await page.getByRole('dialog').getByRole('button', { name: 'Save variants everywhere' }).click();
    expect(await page.getByRole('dialog').getByRole('alert').textContent()).toContain('in "development"');
    await shot(page, 'variants-desktop', { fullPage: false });
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });
});

describe('environments, keys and tokens', () => {
  it('creates an environment where every flag starts off', async () => {
    await page.getByRole('link', { name: 'Environments' }).click();
    await page.getByLabel('Key').fill('qa');
    await page.getByLabel('Name').fill('QA');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.getByRole('row', { name: /QA/ }).waitFor();
    const { environments } = await adminApi<{ environments: { key: string }[] }>(stack.worker, 'GET', '/environments');
    expect(environments.map((e) => e.key)).toContain('qa');
    const config = await adminApi<{ enabled: boolean }>(stack.worker, 'GET', `/flags/${FLAG}/environments/qa`);
    expect(config.enabled).toBe(false);
    await shot(page, 'environments-desktop');
  });

  it('creates an SDK key, shows its secret once, and revoking it locks the SDK out', async () => {
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Name').first().fill('e2e-dev');
    await page.getByLabel('Environment').selectOption('development');
    await page.getByRole('button', { name: 'Create SDK key' }).click();
    const secret = (await page.getByTestId('secret').textContent()) ?? '';
    expect(secret).toMatch(/^efs_/);
    expect(await sdkEvaluate(secret)).toBe(200);
    // The one-time secret banner and the toast are read under pressure: check them too.
    expect(await contrastFailures(page)).toEqual([]);
    await shot(page, 'keys-secret-desktop');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret').count()).toBe(0);
    // Its rate-limit tier, changed in place (issue 9 §3).
    await page.getByLabel('Rate limit of e2e-dev').selectOption('high');
    await expect
      .poll(async () => (await adminApi<{ keys: { name: string; rateTier: string }[] }>(stack.worker, 'GET', '/sdk-keys')).keys)
      .toContainEqual(expect.objectContaining({ name: 'e2e-dev', rateTier: 'high' }));
    await page.getByRole('button', { name: 'Revoke SDK key e2e-dev' }).click();
    await page.getByText('Revoked e2e-dev.').waitFor();
    await expect.poll(() => sdkEvaluate(secret), { timeout: 45_000, interval: 1000 }).toBe(401);
  });

  it('binds a person signed in through Cloudflare Access to a role, from the Keys page (docs/identity.md)', async () => {
    await page.getByRole('link', { name: 'their roles, by email or group' }).click();
    await page.getByRole('heading', { name: 'People and groups', level: 1 }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill('grace@example.com');
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Add binding' }).click();
    await page.getByRole('list', { name: 'Role bindings' }).getByText('grace@example.com').waitFor();
    const { bindings } = await adminApi<{ bindings: { subject: string; role: string }[] }>(stack.worker, 'GET', '/role-bindings');
    expect(bindings).toContainEqual(expect.objectContaining({ subject: 'grace@example.com', role: 'editor' }));
    await shot(page, 'people-desktop');
    await page.getByRole('link', { name: 'Keys' }).click();
  });

  it('creates an admin token that works at once and stops at once when revoked', async () => {
    await page.getByLabel('Name').nth(1).fill('e2e-ci');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create admin token' }).click();
    const secret = (await page.getByTestId('secret').textContent()) ?? '';
    expect(secret).toMatch(/^efa_/);
    expect(await adminApi<{ name: string; role: string }>(stack.worker, 'GET', '/me', undefined, secret)).toMatchObject({
      name: 'e2e-ci',
      role: 'viewer',
    });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke admin token e2e-ci' }).click();
    await page.getByText('Revoked e2e-ci.').waitFor();
    const me = await fetch(`${stack.worker.url}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(401);
    await shot(page, 'keys-desktop');
  });
});

describe('archiving', () => {
  it('refuses while another flag depends on it, then archives a free flag', async () => {
    for (const key of ['legacy-export', 'export-v2'])
      await adminApi(stack.worker, 'POST', '/flags', { key, kind: 'boolean', name: key, type: 'release', owner: 'qa' });
    const { version } = await adminApi<{ version: number }>(stack.worker, 'GET', '/flags/export-v2/environments/development');
    await adminApi(stack.worker, 'PUT', '/flags/export-v2/environments/development', {
      version,
      enabled: true,
      offVariant: 'off',
      prerequisites: [{ flag: 'legacy-export', variants: ['on'] }],
      defaultServe: { variant: 'on' },
    });
    await page.goto(`${stack.worker.url}/flags/legacy-export`);
    await page.getByRole('button', { name: 'Archive…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (audit log)').fill('replaced by v2');
    await dialog.getByRole('button', { name: 'Archive flag' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Still in use.*export-v2/);
    expect(await contrastFailures(page)).toEqual([]);
    await shot(page, 'archive-in-use-desktop', { fullPage: false });
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`${stack.worker.url}/flags/export-v2`);
    await page.getByRole('button', { name: 'Archive…' }).click();
    await page.getByRole('dialog').getByLabel('Reason (audit log)').fill('v2 is the only export now');
    await page.getByRole('dialog').getByRole('button', { name: 'Archive flag' }).click();
    await page.getByRole('heading', { name: 'Flags', level: 1 }).waitFor();
    await page.getByText('Archived export-v2.').waitFor();
    await page.getByRole('row', { name: /legacy-export/ }).waitFor();
    expect(await page.getByRole('row', { name: /export-v2/ }).count()).toBe(0);
    // Archived, not deleted: the flag and its history stay readable.
    expect((await adminApi<{ archivedAt: number | null }>(stack.worker, 'GET', '/flags/export-v2')).archivedAt).toBeGreaterThan(0);

    // Reversible: the audit entry leads to the archived flag, whose page restores it.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('.audit-entry', { hasText: 'flag.archive' }).first().getByRole('link', { name: 'export-v2' }).click();
    await page.getByText(/SDKs serve their code defaults/).waitFor();
    await page.getByRole('button', { name: 'Restore…' }).click();
    const restore = page.getByRole('dialog', { name: 'Restore export-v2?' });
    await restore.getByLabel('Reason (audit log)').fill('archived the wrong one');
    await shot(page, 'restore-confirm-desktop', { fullPage: false });
    await restore.getByRole('button', { name: 'Restore flag' }).click();
    await page.getByText('Restored export-v2.').waitFor();
    await page.getByRole('switch', { name: 'export-v2 in Development' }).waitFor();
    expect((await adminApi<{ archivedAt: number | null }>(stack.worker, 'GET', '/flags/export-v2')).archivedAt).toBeNull();
  });
});

const PAGES = [
  '/flags',
  `/flags/${FLAG}?env=staging`,
  '/flags/new',
  '/evaluate?env=staging',
  '/segments?env=staging',
  '/environments',
  '/keys',
  '/people',
  '/audit',
  '/graph',
  '/policies',
];

describe('accessibility of every page', () => {
  it('has checks that catch faint text and unnamed controls', async () => {
    await page.goto(`${stack.worker.url}/flags`);
    await page.getByRole('heading', { name: 'Flags', level: 1 }).waitFor();
    await page.evaluate(() => {
      const probe = document.createElement('p');
      probe.textContent = 'faint probe';
      probe.style.color = '#b0b0b0';
      document.querySelector('main')?.append(probe, document.createElement('input'));
    });
    expect((await contrastFailures(page)).map((f) => f.text)).toEqual(['faint probe']);
    expect(await unnamedControls(page)).toEqual(['<input>']);
  });

  it('has text contrast of at least 4.5:1 (3:1 large) and a name for every form control', async () => {
    const report: Record<string, unknown> = {};
    for (const path of PAGES) {
      await page.goto(`${stack.worker.url}${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      // Let the first load settle: "Loading…" placeholders are not what the admin reads. (Not
      // "networkidle": the app holds a push stream open for as long as it runs.)
      await settled(page);
      const contrast = await contrastFailures(page);
      const unnamed = await unnamedControls(page);
      if (contrast.length || unnamed.length) report[path] = { contrast, unnamed };
    }
    const signedOut = await newPage(stack.browser);
    await signedOut.page.goto(`${stack.worker.url}/flags`);
    await signedOut.page.getByLabel('Admin token').waitFor();
    const contrast = await contrastFailures(signedOut.page);
    const unnamed = await unnamedControls(signedOut.page);
    if (contrast.length || unnamed.length) report['sign-in'] = { contrast, unnamed };
    await signedOut.context.close();
    expect(report).toEqual({});
  });

  it('lays out the new pages at phone width', async () => {
    const { context, page: phone } = await newPage(stack.browser, PHONE);
    await signIn(phone, stack.worker.url, stack.worker.keys.admin);
    for (const [path, name] of [
      [`/flags/${FLAG}?env=staging`, 'flag-exposures-phone'],
      ['/segments?env=staging', 'segments-phone'],
      ['/evaluate?env=staging', 'evaluate-phone'],
      ['/environments', 'environments-phone'],
      ['/keys', 'keys-phone'],
      ['/people', 'people-phone'],
    ] as const) {
      await phone.goto(`${stack.worker.url}${path}`);
      await phone.getByRole('heading', { level: 1 }).first().waitFor();
      await settled(phone);
      // Nothing may force sideways scrolling on a phone.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(await contrastFailures(phone)).toEqual([]);
      await shot(phone, name);
    }
    await context.close();
  });
});
