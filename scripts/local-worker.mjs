// A real edgeflags Worker on loopback for tests and benchmarks that need a network peer (the
// Node SDK across restarts, browsers in Chromium, the admin app end to end). Same steps as
// `npm start`: apply migrations, seed the invoicing scenario, run `wrangler dev` — but with
// its own state directory and a port the OS assigns, so runs never share data or race for ports.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedSql } from './seed.mjs';
import { LOCAL_KEYS } from './seed-data.mjs';

const root = path.resolve(import.meta.dirname, '..');
const wranglerBin = path.join(root, 'node_modules/.bin/wrangler');
// No cf.json fetch (offline it fails with getaddrinfo ENOTFOUND; the placeholder `request.cf` does here).
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1', NO_COLOR: '1' };

/** Applies the migrations and the idempotent seed to the local D1 under `persistTo`. */
export function prepareLocalState(persistTo) {
  const opts = { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] };
  execFileSync(wranglerBin, ['d1', 'migrations', 'apply', 'edgeflags', '--local', '--persist-to', persistTo], opts);
  const seedFile = path.join(persistTo, 'seed.sql');
  writeFileSync(seedFile, seedSql());
  execFileSync(wranglerBin, ['d1', 'execute', 'edgeflags', '--local', '--persist-to', persistTo, '--file', seedFile], opts);
}

/**
 * wrangler's "Ready on http://127.0.0.1:<port>" line: with `--port 0` the OS picks the port
 * while wrangler binds it, so no other process can take it between "found free" and "bound".
 */
const READY_LINE = /Ready on https?:\/\/[^\s:]+:(\d+)/;
const ADDRESS_IN_USE = /EADDRINUSE|Address already in use/i;
/** Restarts reuse their port (clients hold the URL); one just released can linger briefly. */
const RESTART_ATTEMPTS = 5;

/** Resolves the port wrangler reports once it listens; rejects if it exits first. */
function portFromOutput(child, output, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`wrangler dev reported no port within ${timeoutMs} ms`)), timeoutMs);
    const onData = () => {
      const m = READY_LINE.exec(output());
      if (m) finish(undefined, Number(m[1]));
    };
    const onExit = (code) => finish(new Error(`wrangler dev exited with ${code}`));
    function finish(err, port) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(port);
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

/** Killed by a signal, a process has `signalCode` set and `exitCode` null. */
const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

async function waitUntilUp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`wrangler dev exited with ${child.exitCode ?? child.signalCode}`);
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
 * Without `port`, wrangler binds port 0 and reports the port the OS gave it: starts running in
 * parallel (test files, benchmarks) cannot collide the way "find a free port, release it, hand
 * it to wrangler" did.
 */
export async function startLocalWorker({ port, persistTo, timeoutMs = 60_000, log = false } = {}) {
  const dir = persistTo ?? mkdtempSync(path.join(tmpdir(), 'edgeflags-'));
  const devVars = path.join(dir, '.dev.vars');
  writeFileSync(devVars, 'STREAM_SECRET=local-worker-stream-secret\n');
  prepareLocalState(dir);
  let boundPort = port ?? 0;
  let child;
  let output = '';
  /** Output of the current wrangler process only, so a restart never reads the last run's port. */
  let runOutput = '';

  function spawnWrangler() {
    runOutput = '';
    // `--inspector-port 0` too: wrangler otherwise probes 9229 upwards and binds later, the same race.
    const args = ['dev', '--ip', '127.0.0.1', '--port', String(boundPort), '--inspector-port', '0', '--local'];
    args.push('--persist-to', dir, '--env-file', devVars, '--show-interactive-dev-session=false');
    child = spawn(wranglerBin, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk) => {
      output = (output + chunk).slice(-20_000);
      runOutput = (runOutput + chunk).slice(-20_000);
      if (log) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    return child;
  }

  async function startOnce() {
    const proc = spawnWrangler();
    const reported = await portFromOutput(proc, () => runOutput, timeoutMs);
    if (boundPort === 0) boundPort = reported;
    await waitUntilUp(`http://127.0.0.1:${boundPort}`, proc, timeoutMs);
  }

  async function start() {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce();
      } catch (err) {
        await stop();
        // A fixed port (a restart, or one the caller chose) may still be held for a moment by
        // the process that just let it go; port 0 never collides, so it never retries.
        const retry = boundPort !== 0 && ADDRESS_IN_USE.test(runOutput) && attempt < RESTART_ATTEMPTS;
        if (!retry) throw new Error(`${err.message}\n--- wrangler output ---\n${output}`);
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  async function stop() {
    if (!child || hasExited(child)) return;
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

  try {
    await start();
  } catch (err) {
    if (!persistTo) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${boundPort}`;
  return { url, port: boundPort, dir, keys: LOCAL_KEYS, start, stop, dispose, output: () => output };
}
