// Measures what an app pays for each entry: esbuild bundles it the way an app bundler would
// (ESM, minified, React left to the app), then gzip -9. Run `node sdk/browser/scripts/size.mjs`;
// the size tests in sdk/browser and sdk/react assert the budgets with the same function.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** min+gzip bytes of a bundle whose entry is `code` (resolved from `dir`). */
export async function gzipSize(code, dir) {
  const out = await build({
    stdin: { contents: code, resolveDir: dir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['react', 'react-dom', '@openfeature/web-sdk'],
    logLevel: 'silent',
  });
  const bytes = out.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const browserDir = new URL('..', import.meta.url).pathname;
export const BROWSER_ENTRY = `export { createClient } from './src/index.ts';`;
export const REACT_ENTRY = `export * from '../react/src/index.ts';`;
/** @edgeflags/browser/outcomes: its own entry and budget, so the client above stays 2 KB. */
export const OUTCOMES_ENTRY = `export { recordOutcomes } from './src/outcomes.ts';`;
export const BUDGET = { browser: 2048, react: 1024, outcomes: 1280 };

export async function measureAll() {
  const browser = await gzipSize(BROWSER_ENTRY, browserDir);
  const withReact = await gzipSize(`${BROWSER_ENTRY}\n${REACT_ENTRY}`, browserDir);
  const outcomes = await gzipSize(OUTCOMES_ENTRY, browserDir);
  return { browser, withReact, reactExtra: withReact.gzip - browser.gzip, outcomes };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { browser, withReact, reactExtra, outcomes } = await measureAll();
  console.log(
    `@edgeflags/browser (client + streaming + exposures): ${browser.min} B min, ${browser.gzip} B min+gzip (budget ${BUDGET.browser})`,
  );
  console.log(`@edgeflags/react on top: +${reactExtra} B min+gzip (budget ${BUDGET.react}); together ${withReact.gzip} B`);
  console.log(
    `@edgeflags/browser/outcomes (page outcomes, opt-in error capture; separate entry): ${outcomes.min} B min, ${outcomes.gzip} B min+gzip (budget ${BUDGET.outcomes})`,
  );
}
