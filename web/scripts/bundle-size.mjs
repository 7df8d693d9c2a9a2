// Measures the gzip size of the built JS (and CSS) in web/dist and fails over budget.
// Usage: `npm run size --workspace web` after `vite build`. The budget keeps the admin app
// usable on a phone on a weak connection: admins toggle kill switches from anywhere. So it holds
// what index.html loads before anything shows (the switches and the kill switch included);
// features loaded later by `import()` (guarded releases) are chunks with a budget of their own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const JS_BUDGET_BYTES = 32 * 1024;
export const CSS_BUDGET_BYTES = 8 * 1024;
export const LAZY_CHUNK_BUDGET_BYTES = 8 * 1024;

export function measure(dist = path.resolve(import.meta.dirname, '../dist')) {
  const assets = path.join(dist, 'assets');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const size = (f) => gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length;
  const files = readdirSync(assets);
  const js = files.filter((f) => f.endsWith('.js'));
  // The entry and its modulepreloads are named in index.html, and what they import statically
  // loads before anything shows too: the bundler may move code the entry shares with lazy pages
  // into a common chunk (modulePreload is off, so index.html does not name it). Every other
  // chunk is loaded on demand.
  const initial = js.filter((f) => html.includes(`/assets/${f}`));
  for (let i = 0; i < initial.length; i++) {
    const code = readFileSync(path.join(assets, initial[i]), 'utf8');
    for (const [, f] of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"`()]*?from\s*)?["'`]\.\/([^"'`]+\.js)["'`]/g))
      if (!initial.includes(f)) initial.push(f);
  }
  const lazy = Object.fromEntries(js.filter((f) => !initial.includes(f)).map((f) => [f, size(f)]));
  const sum = (list) => list.reduce((n, f) => n + size(f), 0);
  return { js: sum(initial), lazy, css: sum(files.filter((f) => f.endsWith('.css'))) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { js, lazy, css } = measure();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`JS  ${kb(js)} gzip loaded first (budget ${kb(JS_BUDGET_BYTES)})`);
  for (const [f, n] of Object.entries(lazy)) console.log(`    ${kb(n)} gzip on demand: ${f} (budget ${kb(LAZY_CHUNK_BUDGET_BYTES)})`);
  console.log(`CSS ${kb(css)} gzip (budget ${kb(CSS_BUDGET_BYTES)})`);
  if (js > JS_BUDGET_BYTES || css > CSS_BUDGET_BYTES || Object.values(lazy).some((n) => n > LAZY_CHUNK_BUDGET_BYTES)) {
    console.error('over budget');
    process.exit(1);
  }
}
