// `ready()` against an edge that is unreachable, slow, failing or lying, in child processes
// where it matters (a crash, an exit code, an unhandled rejection) and in-process for the rest.
// No Worker is needed: every fault is a real socket behaving badly.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startFaultServer } from '../../../scripts/test-support.mjs';
import { createClient, type Logger } from '../src/index.ts';

const SRC = path.resolve(import.meta.dirname, '../src/index.ts');
const EXAMPLE = path.resolve(import.meta.dirname, '../examples/quickstart.mjs');
const README = path.resolve(import.meta.dirname, '../../../README.md');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

type Mode = '503' | 'garbage' | 'not-a-snapshot' | 'slow' | 'drop' | 'once';
const SNAPSHOT = {
  environment: 'development',
  version: 7,
  flags: [
    {
      key: 'ai-chatbot',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
};
let onceServed = false;
let edge: Awaited<ReturnType<typeof startFaultServer>>;
let base: string;

beforeAll(async () => {
  edge = await startFaultServer({
    // A good snapshot once, then a broken gateway: last known good must hold.
    once: (_req, res) => {
      if (onceServed) return void res.writeHead(502).end('bad gateway');
      onceServed = true;
      res.writeHead(200, { 'content-type': 'application/json', etag: '"7"' }).end(JSON.stringify(SNAPSHOT));
    },
  });
  base = edge.url;
});
afterAll(() => edge?.close());

describe('ready() when the edge is unreachable', () => {
  it("the README's example (examples/quickstart.mjs) resolves false, runs on fallbacks and exits 0", async () => {
    const run = await runNode([EXAMPLE], { EDGEFLAGS_URL: await refusedUrl() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ready: false');
    expect(run.stdout).toContain('redesigned-dashboard undefined control');
    // Honest: there was no snapshot to serve, and the cause is named.
    expect(run.stderr).toContain('no snapshot yet: evaluations return their fallbacks');
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).not.toContain('last known snapshot');
    expect(run.stderr).not.toMatch(/unsettled top-level await|Unhandled/i);
  });

  it("the README's Node snippet, as printed, exits 0 against an unreachable Worker", async () => {
    const readme = readFileSync(README, 'utf8');
    const block = /```ts\n(\/\/ Node services[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the README has a Node snippet').toBeDefined();
    const script = `${block!.replace("'@edgeflags/node'", JSON.stringify(SRC)).replace('http://127.0.0.1:8787', await refusedUrl())}
console.log('done', flags.status().version);`;
    const run = await runNode(['--input-type=module', '-e', script]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('done 0');
  });

  it('a script awaiting ready() with the edge refusing connections stays alive until readyTimeoutMs, then resolves false', async () => {
    const script = `
      import { createClient } from ${JSON.stringify(SRC)};
      process.on('unhandledRejection', (e) => { console.log('unhandled', String(e)); process.exitCode = 3; });
      const flags = createClient({ url: ${JSON.stringify(await refusedUrl())}, serverKey: 'efs_x', readyTimeoutMs: 700, logger: false });
      const started = Date.now();
      const ready = await flags.ready();
      console.log(JSON.stringify({ ready, waited: Date.now() - started, on: flags.isEnabled('ai-chatbot', {}) }));`;
    const run = await runNode(['--input-type=module', '-e', script]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim()) as { ready: boolean; waited: number; on: boolean };
    expect(out).toMatchObject({ ready: false, on: false });
    expect(out.waited).toBeGreaterThanOrEqual(650);
  });
});

describe('ready() when the edge answers badly', () => {
  it.each<Mode>(['503', 'garbage', 'not-a-snapshot', 'slow', 'drop'])(
    '%s: resolves false after readyTimeoutMs, serves fallbacks, logs what is served, rejects nothing',
    async (mode) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      const warnings: string[] = [];
      const logger: Logger = { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
      const flags = createClient({
        url: `${base}/${mode}`,
        serverKey: 'efs_x',
        stream: mode === 'drop' ? 'sse' : false,
        readyTimeoutMs: 400,
        requestTimeoutMs: 300,
        exposures: false,
        logger,
      });
      try {
        const started = Date.now();
        expect(await flags.ready()).toBe(false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(380);
        expect(flags.isEnabled('ai-chatbot', { plan: 'free' })).toBe(false);
        expect(flags.value('redesigned-dashboard', { userId: 'u' }, 'control')).toBe('control');
        expect(flags.evaluate('ai-chatbot', {}, true)).toMatchObject({ value: true, reason: 'ERROR' });
        expect(flags.status()).toMatchObject({ version: 0, source: 'none' });
        expect(flags.status().lastError).toBeDefined();
        expect(warnings.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w).not.toContain('last known snapshot');
        expect(warnings.join('\n')).toContain('no snapshot yet');
      } finally {
        await flags.close();
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).toEqual([]);
    },
  );

  it('after a snapshot, failures keep it and the log names the version served', async () => {
    const warnings: string[] = [];
    const logger: Logger = { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    const flags = createClient({ url: `${base}/once`, serverKey: 'efs_x', stream: false, exposures: false, logger });
    try {
      expect(await flags.ready()).toBe(true);
      expect(await flags.refresh()).toBe(false);
      expect(flags.isEnabled('ai-chatbot', {})).toBe(true);
      expect(warnings).toEqual(['edgeflags: GET /sdk/v1/snapshot answered 502; serving the last known snapshot (v7); retrying']);
    } finally {
      await flags.close();
    }
  });

  it('close() settles a pending ready() with false at once', async () => {
    const flags = createClient({ url: `${base}/slow`, serverKey: 'efs_x', stream: false, readyTimeoutMs: 60_000, logger: false });
    const ready = flags.ready();
    await flags.close();
    expect(await ready).toBe(false);
  });
});
