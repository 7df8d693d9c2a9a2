import { expect, it } from 'vitest';
import { BUDGET, measureAll } from '../../browser/scripts/size.mjs';

it('adds at most 1 KB min+gzip on top of @edgeflags/browser', async () => {
  const { browser, withReact, reactExtra } = await measureAll();
  console.log(
    `@edgeflags/react: +${reactExtra} B min+gzip over the client's ${browser.gzip} B (budget ${BUDGET.react}); together ${withReact.gzip} B`,
  );
  expect(reactExtra).toBeGreaterThan(100);
  expect(reactExtra).toBeLessThanOrEqual(BUDGET.react);
});
