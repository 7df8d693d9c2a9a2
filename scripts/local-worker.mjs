// A real edgeflags Worker on loopback for tests and benchmarks that need a network peer (the
// Node SDK across restarts, browsers in Chromium, the admin app end to end). Same steps as
// `npm start`: apply migrations, seed the invoicing scenario, run `wrangler dev` — but with
// its own state directory and a free port, so runs never share data.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedSql } from './seed.mjs';
import { LOCAL_KEYS } from './seed-data.mjs';

const root = path.resolve(import.meta.dirname, '..');
const wranglerBin = path.join(root, 'node_modules/.bin/wrangler');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' };

/** Applies the migrations and the idempotent seed to the local D1 under `persistTo`. */
export function prepareLocalState(persistTo) {
  const opts = { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] };
  execFileSync(wranglerBin, ['d1', 'migrations', 'apply', 'edgeflags', '--local', '--persist-to', persistTo], opts);
  const seedFile = path.join(persistTo, 'seed.sql');
  writeFileSync(seedFile, seedSql());
  execFileSync(wranglerBin, ['d1', 'execute', 'edgeflags', '--local', '--persist-to', persistTo, '--file', seedFile], opts);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Worker did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * Starts the Worker. `stop()` kills it (state kept), `start()` brings it back on the same port
 * and state — an edge restart as clients see it — and `dispose()` stops it and deletes the state.
 */
export async function startLocalWorker({ port, persistTo, timeoutMs = 60_000, log = false } = {}) {
  const dir = persistTo ?? mkdtempSync(path.join(tmpdir(), 'edgeflags-'));
  const devVars = path.join(dir, '.dev.vars');
  writeFileSync(devVars, 'STREAM_SECRET=local-worker-stream-secret\n');
  prepareLocalState(dir);
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  let child;
  let output = '';

  async function start() {
    child = spawn(
      wranglerBin,
      [
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(p),
        '--local',
        '--persist-to',
        dir,
        '--env-file',
        devVars,
        '--show-interactive-dev-session=false',
      ],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const keep = (chunk) => {
      output = (output + chunk).slice(-20_000);
      if (log) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitUntilUp(url, child, timeoutMs);
    } catch (err) {
      await stop();
      throw new Error(`${err.message}\n--- wrangler output ---\n${output}`);
    }
  }

  async function stop() {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 5_000);
    await exited;
    clearTimeout(timer);
  }

  async function dispose() {
    await stop();
    if (!persistTo) rmSync(dir, { recursive: true, force: true });
  }

  await start();
  return { url, port: p, dir, keys: LOCAL_KEYS, start, stop, dispose, output: () => output };
}
