import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, newPage, signIn, startStack } from './harness.ts';

// Issue 11 §6 in the browser against a real Worker: an admin turns review on for staging, the
// targeting editor then proposes a change request instead of saving, and a promotion into staging
// shows the server's diff and is proposed too.
let stack: Awaited<ReturnType<typeof startStack>>;
let page: Page;
const FLAG = 'ai-chatbot';

beforeAll(async () => {
  stack = await startStack();
  ({ page } = await newPage(stack.browser));
  await signIn(page, stack.worker.url, stack.worker.keys.admin);
});
afterAll(async () => {
  await stack?.browser.close();
  await stack?.worker.dispose();
});

interface Open {
  changeRequests: { id: string; flagKey: string; action: string }[];
}

describe('a reviewed environment in the admin app', () => {
  it('an admin requires one approval in staging on the environments page', async () => {
    await page.goto(`${stack.worker.url}/environments`);
    await page.locator('#review-staging').fill('1');
    await page.locator('#review-staging').press('Enter');
    await page.getByText('Staging: flag changes need 1 approval from now on.').first().waitFor();
    const { environments } = await adminApi<{ environments: { key: string; requiredApprovals: number }[] }>(
      stack.worker,
      'GET',
      '/environments',
    );
    expect(environments.find((e) => e.key === 'staging')?.requiredApprovals).toBe(1);
  });

  it('the targeting editor proposes the change and links to its review; the flag is unchanged', async () => {
    const before = await adminApi<{ version: number }>(stack.worker, 'GET', `/flags/${FLAG}/environments/staging`);
    await page.goto(`${stack.worker.url}/flags/${FLAG}?env=staging`);
    await page.getByLabel('Bucket percentages by').fill('accountId');
    await page.getByRole('button', { name: 'Propose change' }).click();
    await page.getByRole('link', { name: 'review it' }).click();
    await page.getByText(/Approvals: 0 of 1/).waitFor();
    const open = await adminApi<Open>(stack.worker, 'GET', '/environments/staging/change-requests?status=open');
    expect(open.changeRequests.filter((c) => c.flagKey === FLAG)).toHaveLength(1);
    expect((await adminApi<{ version: number }>(stack.worker, 'GET', `/flags/${FLAG}/environments/staging`)).version).toBe(before.version);
  });

  it("promoting from development shows the server's diff and proposes it", async () => {
    // Development buckets by country: the one difference the promotion carries.
    const dev = await adminApi<Record<string, unknown> & { version: number }>(
      stack.worker,
      'GET',
      `/flags/${FLAG}/environments/development`,
    );
    const { enabled, offVariant, prerequisites, targets, rules, defaultServe } = dev;
    const put = { version: dev.version, enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy: 'country' };
    await adminApi(stack.worker, 'PUT', `/flags/${FLAG}/environments/development`, put);
    await page.goto(`${stack.worker.url}/flags/${FLAG}?env=staging`);
    await page.getByRole('button', { name: 'Promote from development' }).click();
    const diff = page.getByRole('table', { name: 'Differences from development' });
    await diff.waitFor();
    expect(await diff.textContent()).toContain('"country"');
    await page.getByRole('button', { name: 'Propose promotion' }).click();
    await page.getByRole('link', { name: 'review it' }).waitFor();
    const open = await adminApi<Open>(stack.worker, 'GET', '/environments/staging/change-requests?status=open');
    expect(open.changeRequests.some((c) => c.flagKey === FLAG && c.action === 'flag.promote')).toBe(true);
  });
});
