// Measures what an app pays for each entry: esbuild bundles it the way an app bundler would
// (ESM, minified, React left to the app), then gzip -9. The one source of the sizes the docs quote:
// `npm run size` measures, writes sdk/browser/size.json and rewrites every quoted figure, marked
// `<!-- size:KEY -->1.82 KB<!-- /size -->` in the files of QUOTED_IN; test/size.test.ts fails when
// one of them is stale. The size tests in sdk/browser and sdk/react assert the budgets with it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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

const repoRoot = new URL('../../../', import.meta.url).pathname;
export const SIZE_JSON = 'sdk/browser/size.json';
/** Files (from the repository root) whose size figures are marked and kept current. */
export const QUOTED_IN = ['README.md', 'sdk/browser/README.md', 'sdk/react/README.md'];
export const MARKER = /<!-- size:(\w+) -->(.*?)<!-- \/size -->/g;

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
/** What each marker key reads, min+gzip, in KB of 1,024 bytes (the unit of the budgets). */
export function quotes({ browser, withReact, reactExtra, outcomes }) {
  return { browser: kb(browser.gzip), react: `+${kb(reactExtra)}`, together: kb(withReact.gzip), outcomes: kb(outcomes.gzip) };
}

/** `text` with every marked figure replaced by the measured one; unknown keys throw. */
export function requote(text, figures) {
  return text.replace(MARKER, (_, key) => {
    if (!(key in figures)) throw new Error(`unknown size marker "${key}" (known: ${Object.keys(figures).join(', ')})`);
    return `<!-- size:${key} -->${figures[key]}<!-- /size -->`;
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const measured = await measureAll();
  const { browser, withReact, reactExtra, outcomes } = measured;
  const figures = quotes(measured);
  writeFileSync(repoRoot + SIZE_JSON, `${JSON.stringify({ ...measured, quoted: figures }, null, 2)}\n`);
  const rewritten = [];
  for (const file of QUOTED_IN) {
    const before = readFileSync(repoRoot + file, 'utf8');
    const after = requote(before, figures);
    if (after !== before) {
      writeFileSync(repoRoot + file, after);
      rewritten.push(repoRoot + file);
    }
  }
  // A new figure can change a table's column widths: format what was rewritten, as CI checks it.
  if (rewritten.length > 0) execFileSync(`${repoRoot}node_modules/.bin/biome`, ['format', '--write', ...rewritten], { stdio: 'ignore' });
  console.log(
    `@edgeflags/browser (client + streaming + exposures): ${browser.min} B min, ${browser.gzip} B min+gzip (budget ${BUDGET.browser})`,
  );
  console.log(`@edgeflags/react on top: +${reactExtra} B min+gzip (budget ${BUDGET.react}); together ${withReact.gzip} B`);
  console.log(
    `@edgeflags/browser/outcomes (page outcomes, opt-in error capture; separate entry): ${outcomes.min} B min, ${outcomes.gzip} B min+gzip (budget ${BUDGET.outcomes})`,
  );
  console.log(`wrote ${SIZE_JSON}; quoted figures current in ${QUOTED_IN.join(', ')}`);
}
