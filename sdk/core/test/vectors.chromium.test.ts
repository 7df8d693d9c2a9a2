// The same vectors in a real browser (headless Chromium): the core is bundled for the browser
// with esbuild, run in a page, and every answer is compared here, case by case.
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test-support.mjs';
import type { BrowserAnswers } from './browser/run-vectors.ts';
import { vectors } from './vectors.ts';

let browser: Browser;
let answers: BrowserAnswers;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [path.join(import.meta.dirname, 'browser/run-vectors.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>vectors</title>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  answers = await page.evaluate(() => (globalThis as unknown as { runVectors: () => BrowserAnswers }).runVectors());
  expect(await page.evaluate(() => navigator.userAgent)).toContain('Chrome');
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe(`test vectors ${vectors.specVersion} in Chromium`, () => {
  it.each(vectors.hash.map((v, i) => ({ ...v, i })))('murmur3($input, $seed) = $hash', ({ hash, i }) => {
    expect(answers.hash[i]).toBe(hash);
  });

  it.each(vectors.bucket.map((v, i) => ({ ...v, i })))('bucket of $value under salt $salt is $bucket', ({ bucket, i }) => {
    expect(answers.bucket[i]).toBe(bucket);
  });

  vectors.suites.forEach((suite, s) => {
    describe(suite.name, () => {
      it.each(suite.cases.map((c, i) => ({ ...c, i })))('$name', (c) => {
        const result = answers.suites[s]![c.i]!;
        for (const [field, want] of Object.entries(c.expect)) expect(result[field], field).toEqual(want);
        if (c.expect.reason !== 'ERROR') expect(result.errorCode).toBeUndefined();
      });
    });
  });
});
