import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type EdgeflagsClient, type FetchLike } from '../src/index.ts';
import { type LocalWorker, startWorker, toggle, waitFor } from './worker.ts';

// Faults are injected into a real client talking to a real Worker; only the transport lies.
type Fault = 'none' | '500' | 'hang' | 'drop';

function faultyFetch(): { fetch: FetchLike; set(f: Fault): void; calls: () => number } {
  let fault: Fault = 'none';
  let calls = 0;
  const fetchImpl: FetchLike = (input, init) => {
    calls++;
    if (fault === '500') return Promise.resolve(new Response('{"error":{"code":"internal"}}', { status: 503 }));
    if (fault === 'drop') return Promise.reject(new TypeError('fetch failed: socket hang up'));
    if (fault === 'hang') {
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }));
    }
    return fetch(input, init);
  };
  const set = (f: Fault): void => {
    fault = f;
  };
  return { fetch: fetchImpl, set, calls: () => calls };
}

const FREE_US = { userId: 'u-1', accountId: 'acct-1', plan: 'free', country: 'US' };

let worker: LocalWorker;
let dir: string;
const clients: EdgeflagsClient[] = [];
const open = (options: Parameters<typeof createClient>[0]): EdgeflagsClient => {
  const c = createClient({ logger: false, exposures: false, ...options });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  worker = await startWorker();
  dir = mkdtempSync(path.join(tmpdir(), 'edgeflags-node-'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await worker?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Node client when the edge misbehaves', () => {
  it('keeps the last known good snapshot through 5xx, timeouts and dropped connections, then catches up', async () => {
    const net = faultyFetch();
    const flags = open({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      pollIntervalMs: 600_000,
      requestTimeoutMs: 500,
      fetch: net.fetch,
    });
    expect(await flags.ready()).toBe(true);
    expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(true);
    await toggle(worker, 'ai-chatbot', false);

    for (const fault of ['500', 'hang', 'drop'] as const) {
      net.set(fault);
      expect(await flags.refresh()).toBe(false);
      expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(true);
      expect(flags.status().lastError).toMatch(fault === '500' ? /503/ : fault === 'hang' ? /TimeoutError/ : /fetch failed/);
    }
    net.set('none');
    expect(await flags.refresh()).toBe(true);
    expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(false);
    expect(flags.status().lastError).toBeUndefined();
    await toggle(worker, 'ai-chatbot', true);
  });

  it('ready() resolves false after readyTimeoutMs when the edge hangs, and evaluation serves fallbacks meanwhile', async () => {
    const net = faultyFetch();
    net.set('hang');
    const flags = open({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      readyTimeoutMs: 300,
      requestTimeoutMs: 60_000,
      fetch: net.fetch,
    });
    expect(await flags.ready()).toBe(false);
    expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(false);
    expect(flags.value('redesigned-dashboard', { userId: 'u' }, 'control')).toBe('control');
    expect(flags.evaluate('ai-chatbot', FREE_US, true)).toMatchObject({ value: true, reason: 'ERROR' });
  });

  it.each(['sse', 'websocket'])(
    'does not keep the process alive: a script that never calls close() exits while the edge hangs (%s)',
    async (stream) => {
      // An edge that accepts connections and never answers.
      const sockets = new Set<Socket>();
      const server: Server = createServer((s) => void sockets.add(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as { port: number };
      const script = `
      import { createClient } from ${JSON.stringify(path.resolve(import.meta.dirname, '../src/index.ts'))};
      const flags = createClient({ url: 'http://127.0.0.1:${port}', serverKey: 'efs_x', stream: '${stream}', readyTimeoutMs: 200, requestTimeoutMs: 1000, logger: false });
      console.log('ready', await flags.ready(), flags.isEnabled('ai-chatbot', {}));`;
      try {
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
        expect(stdout.trim()).toBe('ready false false');
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
      }
    },
  );

  it('survives an edge restart: serves the last snapshot while down, streams again once it is back', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: 'websocket', pollIntervalMs: 1000 });
    await flags.ready();
    await waitFor(() => flags.status().streaming, 'the stream to be live');
    const version = flags.status().version;

    await worker.stop();
    await waitFor(() => !flags.status().streaming, 'the client to notice the edge is gone');
    await waitFor(() => flags.status().lastError !== undefined, 'a failed fallback poll');
    expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(true);
    expect(flags.status().version).toBe(version);

    await worker.start();
    await waitFor(() => flags.status().streaming, 'the stream to reconnect', 90_000);
    const on = !flags.isEnabled('maintenance-mode');
    await toggle(worker, 'maintenance-mode', on);
    await waitFor(() => flags.isEnabled('maintenance-mode') === on, 'the change made after the restart');
    expect(flags.status().version).toBeGreaterThan(version);
  });

  it('persists the last known good snapshot and starts from it when the edge is unreachable', async () => {
    const file = path.join(dir, 'snapshot.json');
    const first = open({ url: worker.url, serverKey: worker.keys.server, stream: false, snapshotFile: file });
    await first.ready();
    await waitFor(
      () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).snapshot.version === first.status().version,
      'the snapshot file',
    );

    // Nothing listens on port 9: the edge is down at start-up, the file still has the rules.
    const net = faultyFetch();
    const second = open({ url: 'http://127.0.0.1:9', serverKey: worker.keys.server, stream: false, snapshotFile: file, fetch: net.fetch });
    expect(await second.ready()).toBe(true);
    expect(second.status()).toMatchObject({ source: 'file', version: first.status().version });
    expect(second.allFlags(FREE_US, { clientVisibleOnly: false })).toEqual(first.allFlags(FREE_US, { clientVisibleOnly: false }));
    // It also revalidates with the persisted ETag rather than downloading blindly.
    await waitFor(() => second.status().lastError !== undefined, 'a failed poll against the dead edge');
  });

  it('offline mode evaluates a snapshot file and never touches the network', async () => {
    const file = path.join(dir, 'snapshot.json');
    const net = faultyFetch();
    const flags = open({ offline: true, url: worker.url, serverKey: worker.keys.server, snapshotFile: file, fetch: net.fetch });
    expect(await flags.ready()).toBe(true);
    expect(flags.isEnabled('ai-chatbot', FREE_US)).toBe(true);
    expect(flags.status().source).toBe('file');
    expect(await flags.refresh()).toBe(false);
    expect(net.calls()).toBe(0);
  });
});
