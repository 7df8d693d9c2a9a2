import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, DESKTOP, newPage, PHONE, shot, signIn, startStack } from './harness.ts';

// Issue 12 §4 "Phone": nothing is cut off at 390 px, and every section of the nav stays in sight.
let stack: Awaited<ReturnType<typeof startStack>>;
const LONG = 'long-state';

beforeAll(async () => {
  stack = await startStack();
  // The longest state line a flag can have: prerequisites, target lists, rules, then a split.
  await adminApi(stack.worker, 'POST', '/flags', { key: LONG, kind: 'boolean', name: 'Long state summary', type: 'release', owner: 'qa' });
  const { version } = await adminApi<{ version: number }>(stack.worker, 'GET', `/flags/${LONG}/environments/development`);
  await adminApi(stack.worker, 'PUT', `/flags/${LONG}/environments/development`, {
    version,
    enabled: true,
    offVariant: 'off',
    prerequisites: [{ flag: 'ai-chatbot', variants: ['on'] }],
    targets: [
      { values: ['u1'], variant: 'on' },
      { values: ['u2'], variant: 'off' },
    ],
    rules: [
      { conditions: [{ attribute: 'plan', op: 'equals', values: ['free'] }], serve: { variant: 'on' } },
      { conditions: [{ attribute: 'country', op: 'in', values: ['US', 'GB'] }], serve: { variant: 'on' } },
    ],
    defaultServe: {
      split: [
        { variant: 'on', weight: 25 },
        { variant: 'off', weight: 75 },
      ],
    },
  });
});
afterAll(async () => {
  await stack?.browser.close();
  await stack?.worker.dispose();
});

/** Elements (by selector) whose box pokes past the viewport's right edge, and the page's overflow. */
const overflow = (p: Page, selector: string) =>
  p.evaluate((sel) => {
    const width = document.documentElement.clientWidth;
    const cut = [...document.querySelectorAll(sel)]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => el.textContent);
    return { cut, scroll: document.documentElement.scrollWidth - width };
  }, selector);

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('layout at %s width', (name, viewport) => {
  it('shows every flag state whole and every nav link in sight', async () => {
    const { context, page } = await newPage(stack.browser, viewport);
    await signIn(page, stack.worker.url, stack.worker.keys.admin);
    await page.getByRole('link', { name: 'Long state summary' }).waitFor();
    await shot(page, `layout-flags-${name}`);
    if (name === 'phone') {
      const states = await overflow(page, '.flags-table .state, .flags-table td');
      expect(states.cut).toEqual([]);
      const nav = await overflow(page, '.nav a');
      expect(nav.cut).toEqual([]);
      // The nav is not a hidden scroller either: every link is inside the nav's visible box.
      const hidden = await page.evaluate(() => {
        const box = document.querySelector('.nav')!.getBoundingClientRect();
        return [...document.querySelectorAll('.nav a')]
          .filter((a) => a.getBoundingClientRect().right > box.right + 0.5)
          .map((a) => a.textContent);
      });
      expect(hidden).toEqual([]);
    }
    // The on/off word is never cut to "O".
    const words = await page.locator('.flags-table .state').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent ?? '', visible: r.right <= document.documentElement.clientWidth + 0.5 && r.width > 20 };
      }),
    );
    expect(words.filter((w) => !w.visible && w.text.trim() !== '—')).toEqual([]);
    expect((await overflow(page, 'main')).scroll).toBeLessThanOrEqual(0);
    await context.close();
  });
});
