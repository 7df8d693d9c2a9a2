import { expect, it } from 'vitest';
import { BUDGET, measureAll } from '../scripts/size.mjs';

it('keeps the client with streaming and exposures within 2 KB min+gzip', async () => {
  const { browser } = await measureAll();
  console.log(`@edgeflags/browser: ${browser.min} B min, ${browser.gzip} B min+gzip (budget ${BUDGET.browser})`);
  expect(browser.gzip).toBeGreaterThan(500);
  expect(browser.gzip).toBeLessThanOrEqual(BUDGET.browser);
});

it('keeps the outcomes entry within its own 1.25 KB budget, outside the client', async () => {
  const { outcomes } = await measureAll();
  console.log(`@edgeflags/browser/outcomes: ${outcomes.min} B min, ${outcomes.gzip} B min+gzip (budget ${BUDGET.outcomes})`);
  expect(outcomes.gzip).toBeGreaterThan(300);
  expect(outcomes.gzip).toBeLessThanOrEqual(BUDGET.outcomes);
});
