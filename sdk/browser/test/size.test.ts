import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { BUDGET, MARKER, measureAll, QUOTED_IN, quotes, requote, SIZE_JSON } from '../scripts/size.mjs';

const root = path.resolve(import.meta.dirname, '../../..');

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

it('quotes the measured sizes everywhere the docs state one (run `npm run size` to update them)', async () => {
  const measured = await measureAll();
  const figures = quotes(measured);
  const saved = JSON.parse(readFileSync(path.join(root, SIZE_JSON), 'utf8'));
  expect(saved.quoted, `${SIZE_JSON} is stale`).toEqual(figures);
  for (const file of QUOTED_IN) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const quoted = [...text.matchAll(MARKER)].map(([, key, figure]) => ({ key, figure }));
    expect(quoted.length, `${file} marks no size`).toBeGreaterThan(0);
    expect(quoted, `${file} quotes a stale size`).toEqual(quoted.map(({ key }) => ({ key, figure: figures[key as keyof typeof figures] })));
    expect(requote(text, figures)).toBe(text);
    // A figure next to "min+gzip" outside a marker would escape this check (budgets excepted).
    const unmarked = text.replace(MARKER, '').match(/(?<!budget (of )?|≤ |[\d.,])\d[\d.,]* ?K?B\b[^\n|]{0,12}min\+gzip/g);
    expect(unmarked, `${file}: mark the figure <!-- size:KEY -->…<!-- /size -->`).toBeNull();
  }
});
