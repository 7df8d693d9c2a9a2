// Measures the gzip size of the built JS (and CSS) in web/dist and fails over budget.
// Usage: `npm run size --workspace web` after `vite build`. The budget keeps the admin app
// usable on a phone on a weak connection: admins toggle kill switches from anywhere.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const JS_BUDGET_BYTES = 32 * 1024;
export const CSS_BUDGET_BYTES = 8 * 1024;

export function measure(dist = path.resolve(import.meta.dirname, '../dist')) {
  const assets = path.join(dist, 'assets');
  const sum = (ext) =>
    readdirSync(assets)
      .filter((f) => f.endsWith(ext))
      .reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length, 0);
  return { js: sum('.js'), css: sum('.css') };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { js, css } = measure();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`JS  ${kb(js)} gzip (budget ${kb(JS_BUDGET_BYTES)})`);
  console.log(`CSS ${kb(css)} gzip (budget ${kb(CSS_BUDGET_BYTES)})`);
  if (js > JS_BUDGET_BYTES || css > CSS_BUDGET_BYTES) {
    console.error('over budget');
    process.exit(1);
  }
}
