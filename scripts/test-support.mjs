// Helpers every package's tests share: a headless Chromium launched the one way that works on
// these machines, the admin-API kill switch, waiting on a condition instead of sleeping, and an
// edge that fails on purpose (unreachable, slow, 5xx, garbage, dropped) for fault tests.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless. Without the background-networking flags it keeps trying to reach
 * Google's hosts, which a closed network refuses many times a second.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The kill switch: turns a flag off (or back on) in one environment through the admin API. */
export async function toggleFlag(worker, flag, enabled, environment = 'development') {
  const path = `${worker.url}/api/v1/flags/${flag}/environments/${environment}`;
  const auth = { Authorization: `Bearer ${worker.keys.admin}` };
  // Out of the protective state a switch is guarded by the version; into it the version is ignored.
  const { version } = await (await fetch(path, { headers: auth })).json();
  const res = await fetch(`${path}/toggle`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled, version, reason: `test: ${flag} ${enabled ? 'on' : 'off'}` }),
  });
  if (!res.ok) throw new Error(`toggle ${flag}: ${res.status} ${await res.text()}`);
}

/** Polls `check` until it holds; tests wait on conditions, never on fixed sleeps. */
export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A real HTTP server that misbehaves on purpose, for SDK fault tests: the first path segment
 * picks the fault, so `${url}/503` is an edge that answers 503 to everything under it.
 *   503             a JSON error with status 503
 *   garbage         200 with an HTML error page (a proxy in the way)
 *   not-a-snapshot  200 with JSON of the wrong shape
 *   slow            accepts and never answers (until close)
 *   drop            headers and half a body, then the connection dies
 * `extra` adds faults of the caller's own: `{ name: (req, res) => … }`.
 */
export async function startFaultServer(extra = {}) {
  const held = new Set();
  const faults = {
    503: (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable"}}'),
    garbage: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>502 Bad Gateway</html>'),
    'not-a-snapshot': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"flags":"nope"}'),
    slow: (_req, res) => void held.add(res),
    drop: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"environment":"development","version":3,"flags":');
      setTimeout(() => res.destroy(), 20);
    },
    ...extra,
  };
  const server = createHttpServer((req, res) => {
    const fault = faults[req.url?.split(/[/?]/)[1] ?? ''];
    if (fault) fault(req, res);
    else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A URL nothing listens on: a port the OS assigned, then released (connection refused). */
export async function refusedUrl() {
  const s = createTcpServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}
