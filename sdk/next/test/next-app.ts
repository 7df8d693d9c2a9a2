// Builds and runs the test app with the real `next` CLI: `next build` once per runtime
// variant, then `next start` on a port the OS assigns (`-p 0`, read back from its output) with
// the Worker's URL and key in its env.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const nextBin = path.join(root, 'node_modules/.bin/next');
export const APP_DIR = path.join(import.meta.dirname, 'app');
/** The edge-runtime copy of the app (generated, gitignored): same pages, `middleware.ts` instead of `proxy.ts`. */
export const EDGE_APP_DIR = path.join(import.meta.dirname, '.app-edge');

const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1', CI: '1' };

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(nextBin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      kill(child, 'SIGKILL');
      reject(new Error(`next ${args.join(' ')} timed out after ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`next ${args.join(' ')} exited with ${code}\n${output}`));
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {}
}

/** Writes the edge copy: Next 16 runs `middleware.ts` on the edge runtime and `proxy.ts` on Node. */
export function prepareEdgeApp(): string {
  rmSync(EDGE_APP_DIR, { recursive: true, force: true });
  mkdirSync(EDGE_APP_DIR);
  for (const entry of ['app', 'edgeflags.ts', 'next.config.mjs', 'tsconfig.json']) {
    cpSync(path.join(APP_DIR, entry), path.join(EDGE_APP_DIR, entry), { recursive: true });
  }
  const proxy = readFileSync(path.join(APP_DIR, 'proxy.ts'), 'utf8');
  writeFileSync(path.join(EDGE_APP_DIR, 'middleware.ts'), proxy.replace('export const proxy = edgeflags;', 'export default edgeflags;'));
  return EDGE_APP_DIR;
}

/** `next build`; returns how long it took. Five minutes: the CI box has two shared cores. */
export async function buildApp(dir: string): Promise<number> {
  const started = Date.now();
  rmSync(path.join(dir, '.next'), { recursive: true, force: true });
  await run(['build'], dir, baseEnv, 300_000);
  return Date.now() - started;
}

/** Whether the build put the middleware on the edge runtime (listed in the middleware manifest). */
export function builtForEdge(dir: string): boolean {
  const manifest = path.join(dir, '.next/server/middleware-manifest.json');
  if (!existsSync(manifest)) return false;
  return Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).middleware ?? {}).length > 0;
}

/** Next prints `- Local: http://127.0.0.1:<port>` with the port it actually bound. */
const LOCAL_URL = /Local:\s+(https?:\/\/[^\s/]+)/;

export interface RunningApp {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `next start` with runtime env (the Worker URL and key are read per request, not at build). */
export async function startApp(dir: string, env: Record<string, string>): Promise<RunningApp> {
  // Port 0: the OS picks the port as Next binds it, so parallel test files cannot race for one.
  const child = spawn(nextBin, ['start', '-p', '0', '-H', '127.0.0.1'], {
    cwd: dir,
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr!.on('data', (c) => (output = (output + c).slice(-20_000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    kill(child, 'SIGTERM');
    const timer = setTimeout(() => kill(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  let url = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}\n${output}`);
    url ||= LOCAL_URL.exec(output)?.[1] ?? '';
    if (!url) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      // A static asset path: answered without running the middleware or touching the Worker.
      await fetch(`${url}/favicon.ico`);
      return { url, output: () => output, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`next start did not answer at ${url}\n${output}`);
}
