// Test files start their own Worker in parallel. Picking a free port, letting it go and then
// handing it to wrangler lost races ("Address already in use"); these tests hold the fix:
// wrangler binds port 0 and reports its port, and a fixed port (a restart) is retried.
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalWorker, startLocalWorker } from '../local-worker.mjs';
import { waitFor } from '../test-support.mjs';

const started: LocalWorker[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => w.dispose()));
});

const healthy = async (w: LocalWorker): Promise<number> => (await fetch(`${w.url}/healthz`)).status;

describe('startLocalWorker', () => {
  it('starts four Workers at once: each gets its own OS-assigned port and none fails', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => startLocalWorker({ timeoutMs: 180_000 })));
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ports = started.map((w) => w.port);
    expect(new Set(ports).size).toBe(4);
    for (const w of started) {
      expect(w.port).toBeGreaterThan(0);
      expect(w.url).toBe(`http://127.0.0.1:${w.port}`);
      expect(await healthy(w)).toBe(200);
    }
  }, 240_000);

  it('comes back on the same port after stop(), retrying while another process still holds it', async () => {
    const w = started[0] ?? (await startLocalWorker({ timeoutMs: 120_000 }));
    if (!started.includes(w)) started.push(w);
    await w.stop();
    // Someone holds the port (a socket not yet released) until wrangler's first attempt has
    // failed on it with EADDRINUSE; the retry after the holder lets go must succeed.
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(w.port, '127.0.0.1', r));
    const refused = () => {
      const out = w.output();
      return out.lastIndexOf('Address already in use') > out.lastIndexOf('Ready on');
    };
    const release = waitFor(refused, 'wrangler to hit the held port', 120_000).finally(() => holder.close());
    await Promise.all([w.start(), release]);
    expect(await healthy(w)).toBe(200);
  }, 180_000);
});
