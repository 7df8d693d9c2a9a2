// The Worker as `wrangler deploy` would upload it, without an account: `--dry-run` bundles it
// with the real wrangler.toml. Workers cap the script at 3 MB gzip (Free) or 10 MB (Paid), and
// every byte is parsed on a cold start, so the budget here is far tighter than the cap.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
/**
 * Unminified: 220 KiB gzip with one copy of zod (three copies made it 461 KiB); re2js, the
 * linear-time regex engine core needs so no pattern can stall an isolate (docs/regex.md), adds
 * about 64 KiB; the trust work, guarded releases and webhooks brought it to ~337 KiB. The deploy
 * minifies (wrangler.toml `minify = true`, source maps uploaded), which is what is held here.
 */
const BUDGET_GZIP_BYTES = 300 * 1024;

let outdir: string;
let plainDir: string;
let output: string;
let bundle: string;
let plain: string;

function dryRun(dir: string, ...flags: string[]): string {
  return execFileSync(path.join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', dir, ...flags], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
}

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'edgeflags-deploy-'));
  plainDir = mkdtempSync(path.join(tmpdir(), 'edgeflags-deploy-plain-'));
  output = dryRun(outdir);
  bundle = readFileSync(path.join(outdir, 'index.js'), 'utf8');
  // Unminified, esbuild keeps a comment naming each module's source path: that is how copies of zod show.
  dryRun(plainDir, '--minify=false');
  plain = readFileSync(path.join(plainDir, 'index.js'), 'utf8');
}, 180_000);

afterAll(() => {
  for (const dir of [outdir, plainDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('wrangler deploy --dry-run', () => {
  it('bundles the Worker with every binding the product needs', () => {
    for (const binding of [
      'env.HUB (EnvironmentHub)',
      'env.SNAPSHOTS',
      'env.EVENTS',
      'env.DB',
      'env.SERVER_RATE_LIMITER',
      'env.CLIENT_RATE_LIMITER',
    ]) {
      expect(output).toContain(binding);
    }
  });

  it(`stays within ${BUDGET_GZIP_BYTES / 1024} KiB gzip`, () => {
    const gzip = gzipSync(bundle).length;
    console.log(`worker bundle: ${(bundle.length / 1024).toFixed(0)} KiB, ${(gzip / 1024).toFixed(0)} KiB gzip`);
    expect(gzip).toBeLessThan(BUDGET_GZIP_BYTES);
  });

  it('holds one copy of zod (a nested copy per workspace package would triple it)', () => {
    // esbuild names each module's source path in a comment: `// node_modules/zod/v4/...`.
    const copies = new Set([...plain.matchAll(/^\/\/ (\S*node_modules\/zod)\//gm)].map((m) => m[1]));
    expect([...copies]).toEqual(['node_modules/zod']);
  });
});
