import { expect, it } from 'vitest';
import { BUDGET, measureAll } from '../scripts/size.mjs';

it('keeps the client with streaming and exposures within 2 KB min+gzip', async () => {
  const { browser } = await measureAll();
  console.log(`@edgeflags/browser: ${browser.min} B min, ${browser.gzip} B min+gzip (budget ${BUDGET.browser})`);
  expect(browser.gzip).toBeGreaterThan(500);
  expect(browser.gzip).toBeLessThanOrEqual(BUDGET.browser);
});
