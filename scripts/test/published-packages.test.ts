// The packages as a stranger gets them: built (scripts/build-packages.mjs), packed with
// `npm pack`, installed with a real `npm install` of the tarballs into a clean project, then run
// by plain Node with type stripping off (each README's example against a local Worker included),
// type-checked by a consumer with `moduleResolution: nodenext`, and passed through
// `npm publish --dry-run`. The workspace runs TypeScript source; this proves the compiled
// JavaScript, declarations and manifests work on their own.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, PUBLISHED } from '../build-packages.mjs';
import { type LocalWorker, startLocalWorker } from '../local-worker.mjs';
import {
  browserExample,
  coreExample,
  installSection,
  nextExample,
  nodeExample,
  reactExample,
  withDependencies,
} from './readme-examples.ts';

const root = path.resolve(import.meta.dirname, '../..');
const NAMES = ['core', 'node', 'browser', 'react', 'next', 'cli'];
/** The six move together (changesets' fixed group), so core's version is every package's. */
const VERSION = JSON.parse(readFileSync(path.join(root, 'sdk/core/package.json'), 'utf8')).version as string;
/**
 * Third-party packages the consumer installs beside ours, linked from the workspace (`file:`) so
 * the install needs no network: core's dependency and the peers the README examples use.
 */
const THIRD_PARTY = ['re2js', 'react', 'react-dom', 'next', 'typescript'];
let app: string;
let tarballs: string[];
let worker: LocalWorker | undefined;
let workerStart: Promise<LocalWorker>;

beforeAll(async () => {
  // Migrations and seed run now; wrangler then boots while the packages compile.
  workerStart = startLocalWorker({ timeoutMs: 150_000 });
  workerStart.catch(() => {}); // awaited by the README tests, which report its error
  app = mkdtempSync(path.join(tmpdir(), 'edgeflags-published-'));
  const packDir = path.join(app, 'tarballs');
  mkdirSync(packDir);
  tarballs = buildPackages().map((dist) => {
    const out = execFileSync('npm', ['pack', dist, '--pack-destination', packDir, '--json'], { cwd: root, encoding: 'utf8' });
    return path.join(packDir, (JSON.parse(out) as [{ filename: string }])[0].filename);
  });
  const dependencies = Object.fromEntries(THIRD_PARTY.map((dep) => [dep, `file:${path.join(root, 'node_modules', dep)}`]));
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  // `--offline`: everything comes from the tarballs and the links, so a missing or mis-declared
  // dependency fails here instead of being fetched. Peers are the app's to choose (React, Next).
  const flags = ['--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error'];
  execFileSync('npm', ['install', ...flags, ...tarballs], { cwd: app, encoding: 'utf8' });
}, 180_000);

afterAll(async () => {
  await (worker ?? (await workerStart.catch(() => undefined)))?.dispose();
  if (app) rmSync(app, { recursive: true, force: true });
  for (const rel of PUBLISHED) rmSync(path.join(root, rel, 'dist'), { recursive: true, force: true });
}, 30_000);

/** Runs `source` as an ES module of the consumer app under plain Node (no type stripping). */
function runInApp(file: string, source: string, env: Record<string, string> = {}): string {
  writeFileSync(path.join(app, file), source);
  return execFileSync(process.execPath, ['--no-experimental-strip-types', file], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

/** TypeScript/JSX to plain JavaScript, as the app's own bundler would. */
const compileTs = (code: string, loader: 'ts' | 'tsx') => transformSync(code, { loader, jsx: 'automatic', format: 'esm' }).code;

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
  it('install with npm from the packed tarballs: real directories, each dependency resolved', () => {
    for (const name of NAMES) {
      const dir = path.join(app, 'node_modules/@edgeflags', name);
      expect(lstatSync(dir).isSymbolicLink()).toBe(false);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['package.json', 'README.md', 'src']));
    }
    const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8'));
    // Installed from the tarballs, and @edgeflags/node's `@edgeflags/core@^VERSION` deduplicated onto it.
    expect(lock.packages['node_modules/@edgeflags/core'].resolved).toBe(`file:tarballs/edgeflags-core-${VERSION}.tgz`);
    expect(lock.packages['node_modules/@edgeflags/node/node_modules/@edgeflags/core']).toBeUndefined();
  });

  it('pass npm publish --dry-run with repository, provenance and files metadata', async () => {
    const source = JSON.parse(readFileSync(path.join(root, 'sdk/core/package.json'), 'utf8'));
    const publish = (dist: string) =>
      promisify(execFile)('npm', ['publish', dist, '--dry-run', '--json', '--loglevel=warn'], { cwd: root, encoding: 'utf8' });
    const dists = NAMES.map((name) => path.join(root, 'sdk', name, 'dist'));
    const reports = await Promise.all(dists.map(publish)); // independent dry runs: in parallel
    for (const [i, name] of NAMES.entries()) {
      const dist = dists[i]!;
      const report = JSON.parse(reports[i]!.stdout)[`@edgeflags/${name}`] as { files: { path: string }[] };
      // npm "corrects" a manifest it finds invalid by dropping fields (a `./bin/…` bin, once): none may be.
      expect(reports[i]!.stderr).not.toMatch(/corrected|invalid/i);
      const files = report.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'src/index.js', 'src/index.d.ts']));
      // Compiled code only: no TypeScript source, no tests, no build leftovers.
      expect(files.filter((f) => /(?<!\.d)\.tsx?$|\.test\.|tsconfig/.test(f))).toEqual([]);
      const manifest = JSON.parse(readFileSync(path.join(dist, 'package.json'), 'utf8'));
      expect(manifest.repository).toEqual({ ...source.repository, directory: `sdk/${name}` });
      expect(manifest).toMatchObject({
        license: 'Apache-2.0',
        homepage: expect.stringContaining(`/sdk/${name}`),
        bugs: source.bugs,
        publishConfig: { access: 'public', provenance: true },
      });
    }
  });

  it("README Install sections: the registry command, and today's tarballs with every @edgeflags dependency", () => {
    for (const name of NAMES) {
      const { registry, packed, installed } = installSection(name);
      expect(registry, `sdk/${name}/README.md`).toMatch(new RegExp(`^npm install @edgeflags/${name}\\b`, 'm'));
      // What the test installs above: without a dependency's tarball npm would look for it on the registry.
      expect(packed.toSorted(), `sdk/${name}/README.md packs`).toEqual(withDependencies(name).toSorted());
      expect(installed.toSorted(), `sdk/${name}/README.md installs`).toEqual(withDependencies(name).toSorted());
    }
  });

  it('ship JavaScript, declarations and a package.json whose exports point at them', () => {
    for (const name of NAMES) {
      const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules/@edgeflags', name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest.exports)).not.toMatch(/(?<!\.d)\.tsx?"/);
      expect(manifest.exports['.']).toEqual({ types: './src/index.d.ts', default: './src/index.js' });
    }
    const node = JSON.parse(readFileSync(path.join(app, 'node_modules/@edgeflags/node/package.json'), 'utf8'));
    expect(node.dependencies['@edgeflags/core']).toBe(`^${VERSION}`);
    // The bin lives in @edgeflags/cli only: the Node SDK does not carry the parser.
    expect(node.bin).toBeUndefined();
    const cli = JSON.parse(readFileSync(path.join(app, 'node_modules/@edgeflags/cli/package.json'), 'utf8'));
    expect(cli.bin.edgeflags).toBe('bin/edgeflags.js');
    expect(Object.keys(cli.dependencies)).toEqual(['typescript']);
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
    const bin = path.join(app, 'node_modules/@edgeflags/cli/bin/edgeflags.js');
    const out = execFileSync(process.execPath, ['--no-experimental-strip-types', bin, '--help'], { cwd: app, encoding: 'utf8' });
    expect(out).toContain('usage: edgeflags typegen');
    // An unknown command is a usage error (exit 2), not the help and success.
    const unknown = spawnSync(process.execPath, ['--no-experimental-strip-types', bin, 'frobnicate'], { cwd: app, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
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

describe("each README's example, from the installed packages, against a local Worker", () => {
  beforeAll(async () => {
    worker = await workerStart;
  }, 150_000);

  it('@edgeflags/core: "Example" compiles a snapshot and evaluates a split', () => {
    const out = runInApp('core-example.mjs', coreExample());
    expect(JSON.parse(out)).toMatchObject({ reason: 'SPLIT', value: expect.any(Boolean) });
  });

  it('@edgeflags/node: "Example" syncs, evaluates the seeded flags and closes', () => {
    const out = runInApp('node-example.mjs', nodeExample(), {
      EDGEFLAGS_URL: worker!.url,
      EDGEFLAGS_SERVER_KEY: worker!.keys.server,
    });
    expect(out).toContain('ready: true');
    expect(out).toContain('ai-chatbot true false'); // free plan: US yes, DE no
    expect(out).toMatch(/maintenance-mode \{[^}]*reason: 'DISABLED'/);
    expect(out).toMatch(/^redesigned-dashboard (control|treatment) (control|treatment)$/m);
  });

  it('@edgeflags/browser: "Run it" evaluates at the edge, then re-evaluates on setContext', () => {
    const out = runInApp('browser-example.mjs', browserExample(worker!.url));
    // After setContext the plan is enterprise: the free-plan chatbot goes off.
    expect(JSON.parse(out)).toEqual({ ready: true, aiChatbot: false, dashboard: expect.any(String), maintenance: false });
  });

  it('@edgeflags/react: "Run it" components render the edge-evaluated flags', () => {
    const out = runInApp('react-example.mjs', compileTs(reactExample(worker!.url, worker!.keys.client), 'tsx'));
    expect(out).toMatch(/^<h1>(New|Classic) dashboard<\/h1><aside>How can I help\?<\/aside>$/m);
    expect(out).not.toContain('Back soon');
  });

  it('@edgeflags/next: "Middleware" rewrites /dashboard to its variant and forwards the flags', () => {
    const out = runInApp('next-example.mjs', compileTs(nextExample(), 'ts'), {
      EDGEFLAGS_URL: worker!.url,
      EDGEFLAGS_SERVER_KEY: worker!.keys.server,
    });
    const { rewrite, dashboard, aiChatbot } = JSON.parse(out);
    expect(['control', 'treatment']).toContain(dashboard);
    expect(rewrite).toBe(`/dashboard/${dashboard}`);
    expect(aiChatbot).toBe(true);
  });
});
