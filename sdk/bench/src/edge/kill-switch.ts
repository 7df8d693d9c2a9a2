/**
 * Kill-switch latency, end to end on loopback: 1,000 stream clients (WebSockets, as SDKs open
 * them) on the real Worker under `wrangler dev`; the admin API toggles a flag; each client
 * notes when the hub's push reaches it. Latency is measured from the moment the admin API's
 * answer arrives (the operator's "done"), so a push that lands first counts as 0 ms.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface KillSwitchResult {
  clients: number;
  toggles: number;
  /** Pushes that arrived, of clients × toggles. */
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The same pushes measured from when the toggle request was sent. */
  fromRequestP99Ms: number;
}

interface Worker {
  url: string;
  keys: { admin: string; client: string };
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
}

async function connectAll(worker: Worker, n: number, onPush: (version: number, at: number) => void): Promise<WebSocket[]> {
  const url = `${worker.url.replace(/^http/, 'ws')}/sdk/v1/stream?key=${worker.keys.client}`;
  const sockets: WebSocket[] = [];
  // Open in waves: a thousand simultaneous handshakes against one dev server mostly measure its accept queue.
  for (let i = 0; i < n; i += 100) {
    const wave = Array.from(
      { length: Math.min(100, n - i) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.onmessage = (e) => {
            const at = performance.now();
            const msg = JSON.parse(String(e.data)) as { type: string; id: number };
            if (msg.type === 'hello') resolve(ws);
            else if (msg.type === 'refetch') onPush(msg.id, at);
          };
          ws.onerror = () => reject(new Error('stream connection failed'));
        }),
    );
    sockets.push(...(await Promise.all(wave)));
  }
  return sockets;
}

export async function benchKillSwitch(worker: Worker, clients = 1_000, toggles = 5): Promise<KillSwitchResult> {
  const arrivals = new Map<number, number[]>();
  const sockets = await connectAll(worker, clients, (version, at) => {
    const list = arrivals.get(version) ?? [];
    list.push(at);
    arrivals.set(version, list);
  });
  const latencies: number[] = [];
  const fromRequest: number[] = [];
  const config = `${worker.url}/api/v1/flags/maintenance-mode/environments/development`;
  // Maintenance on is its protective move (no version); off is guarded, so it carries the version.
  let version = ((await (await fetch(config, { headers: { Authorization: `Bearer ${worker.keys.admin}` } })).json()) as { version: number })
    .version;
  try {
    for (let t = 0; t < toggles; t++) {
      const sentAt = performance.now();
      const res = await fetch(`${worker.url}/api/v1/flags/maintenance-mode/environments/development/toggle`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ enabled: t % 2 === 0, version, reason: 'bench: kill switch latency' }),
      });
      const answeredAt = performance.now();
      if (!res.ok) throw new Error(`toggle failed: ${res.status} ${await res.text()}`);
      const { snapshotVersion, config: written } = (await res.json()) as { snapshotVersion: number; config: { version: number } };
      version = written.version;
      const deadline = answeredAt + 10_000;
      while ((arrivals.get(snapshotVersion)?.length ?? 0) < clients && performance.now() < deadline) await sleep(5);
      for (const at of arrivals.get(snapshotVersion) ?? []) {
        latencies.push(Math.max(0, at - answeredAt));
        fromRequest.push(at - sentAt);
      }
      await sleep(200);
    }
  } finally {
    for (const ws of sockets) ws.close();
  }
  latencies.sort((a, b) => a - b);
  fromRequest.sort((a, b) => a - b);
  return {
    clients,
    toggles,
    delivered: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    fromRequestP99Ms: percentile(fromRequest, 0.99),
  };
}
