// The packages as a registry would serve them: built (scripts/build-packages.mjs), packed with
// `npm pack`, unpacked into a fresh node_modules, then run by plain Node with type stripping off
// and type-checked by a consumer with `moduleResolution: nodenext`. The workspace runs TypeScript
// source; this proves the compiled JavaScript and declarations work on their own.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, PUBLISHED } from '../build-packages.mjs';

const root = path.resolve(import.meta.dirname, '../..');
let app: string;

beforeAll(() => {
  app = mkdtempSync(path.join(tmpdir(), 'edgeflags-published-'));
  const tarballs = path.join(app, 'tarballs');
  mkdirSync(tarballs);
  for (const dist of buildPackages()) {
    const name = JSON.parse(readFileSync(path.join(dist, 'package.json'), 'utf8')).name as string;
    const out = execFileSync('npm', ['pack', dist, '--pack-destination', tarballs, '--json'], { cwd: root, encoding: 'utf8' });
    const [{ filename }] = JSON.parse(out) as [{ filename: string }];
    const target = path.join(app, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tarballs, filename), '-C', target, '--strip-components=1']);
    // What npm would install beside it: its third-party dependencies (core's re2js), from the workspace.
    const { dependencies = {} } = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(dependencies).filter((d) => !d.startsWith('@edgeflags/'))) {
      cpSync(path.join(root, 'node_modules', dep), path.join(app, 'node_modules', dep), { recursive: true });
    }
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 180_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
  for (const rel of PUBLISHED) rmSync(path.join(root, rel, 'dist'), { recursive: true, force: true });
});

const SNAPSHOT = {
  environment: 'production',
  version: 3,
  flags: [
    {
      key: 'new-pdf-engine',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    {
      key: 'maintenance-mode',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: false,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
};

describe('published packages', () => {
  it('ship JavaScript, declarations and a package.json whose exports point at them', () => {
    for (const name of ['core', 'node', 'browser', 'react', 'next']) {
      const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules/@edgeflags', name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest.exports)).not.toMatch(/(?<!\.d)\.tsx?"/);
      expect(manifest.exports['.']).toEqual({ types: './src/index.d.ts', default: './src/index.js' });
    }
    const node = JSON.parse(readFileSync(path.join(app, 'node_modules/@edgeflags/node/package.json'), 'utf8'));
    expect(node.dependencies['@edgeflags/core']).toBe('^0.1.0');
    expect(node.bin.edgeflags).toBe('./bin/edgeflags.js');
  });

  it('run under plain Node with type stripping off: core, the Node client offline, the browser client bootstrapped', () => {
    writeFileSync(path.join(app, 'snapshot.json'), JSON.stringify(SNAPSHOT));
    writeFileSync(
      path.join(app, 'smoke.mjs'),
      `import { compileSnapshot, toWirePayload } from '@edgeflags/core';
import vectors from '@edgeflags/core/vectors.json' with { type: 'json' };
import { createClient } from '@edgeflags/node';
import { createClient as createBrowserClient } from '@edgeflags/browser';
const flags = createClient({ offline: true, snapshotFile: new URL('./snapshot.json', import.meta.url).pathname, exposures: false });
await flags.ready();
const ctx = { targetingKey: 'u1' };
const payload = toWirePayload('production', 3, compileSnapshot(JSON.parse(process.argv[2])).evaluateAll(ctx));
const browser = createBrowserClient({ url: 'http://127.0.0.1:9', clientKey: 'efc_x', bootstrap: payload, stream: false, exposures: false });
console.log(JSON.stringify({
  spec: vectors.specVersion,
  node: [flags.isEnabled('new-pdf-engine', ctx), flags.isEnabled('maintenance-mode', ctx), flags.evaluate('maintenance-mode', ctx).reason],
  browser: [browser.isEnabled('new-pdf-engine'), browser.isEnabled('maintenance-mode')],
}));
flags.close();
browser.close();
`,
    );
    const out = execFileSync(process.execPath, ['--no-experimental-strip-types', 'smoke.mjs', JSON.stringify(SNAPSHOT)], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ spec: '1.0.0', node: [true, false, 'DISABLED'], browser: [true, false] });
  });

  it('run the CLI from its compiled bin', () => {
    const bin = path.join(app, 'node_modules/@edgeflags/node/bin/edgeflags.js');
    const out = execFileSync(process.execPath, ['--no-experimental-strip-types', bin, '--help'], { cwd: app, encoding: 'utf8' });
    expect(out).toContain('usage: edgeflags typegen');
  });

  it('type-check a consumer with nodenext resolution, declarations included', () => {
    writeFileSync(
      path.join(app, 'consumer.ts'),
      `import { createClient } from '@edgeflags/node';
import { createClient as createBrowserClient, type Payload } from '@edgeflags/browser';
import type { WirePayload } from '@edgeflags/core';
const flags = createClient({ offline: true, exposures: false });
const on: boolean = flags.isEnabled('new-pdf-engine', { accountId: 'acct-1' });
const theme: string = flags.value('theme', { targetingKey: 'u1' }, 'classic');
// @ts-expect-error a context is an object of attributes
flags.isEnabled('new-pdf-engine', 42);
const bootstrap: Payload = { environment: 'production', version: 1, flags: {} } satisfies WirePayload;
createBrowserClient({ url: 'https://flags.example.com', clientKey: 'efc_x', bootstrap });
export { on, theme };
`,
    );
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2024', 'dom'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', path.join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
  });
});
