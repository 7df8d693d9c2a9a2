/**
 * Kill-switch latency, end to end on loopback: 1,000 browser stream clients (client-key
 * WebSockets, as the browser SDK opens them) on the real Worker under `wrangler dev`; the admin
 * API toggles a flag; each client does what the browser SDK does with the push — applies the
 * `values` it carries, or re-POSTs /sdk/v1/evaluate (here at once: the SDK adds up to 2 s of
 * jitter) — and notes when it holds the NEW value. Latency runs from the moment the toggle
 * request is sent to that moment; the figure from the admin API's answer is printed beside it.
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
  /** The same arrivals measured from when the admin API answered (a value that lands first counts 0). */
  fromAnswerP99Ms: number;
  /** How clients got the new value: carried by the push, or by a refetch after it. */
  viaPush: number;
  viaRefetch: number;
  /** Refetches answered with an error (a 429 would be one): those clients never got the value. */
  refetchFailures: number;
}

interface Worker {
  url: string;
  keys: { admin: string; client: string };
}

const FLAG = 'maintenance-mode';

interface Push {
  type: string;
  id: number;
  values?: Record<string, { value?: unknown }>;
}

/** What the browser SDK does after a push without `values`: POST its context again. */
async function refetch(worker: Worker, id: number, caller = '127.0.0.1'): Promise<unknown> {
  const res = await fetch(`${worker.url}/sdk/v1/evaluate${id > 0 ? `?refetch=${id}` : ''}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${worker.keys.client}`, 'Content-Type': 'application/json', 'CF-Connecting-IP': caller },
    body: JSON.stringify({ context: { targetingKey: 'bench-browser' } }),
  });
  if (!res.ok) throw new Error(`refetch answered ${res.status}`);
  const body = (await res.json()) as { flags: Record<string, { value?: unknown }> };
  return body.flags[FLAG]?.value;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
}

/** Opens `n` client streams; `onValue` gets each client's value of FLAG as it learns it, with how. */
async function connectAll(
  worker: Worker,
  n: number,
  onValue: (value: unknown, at: number, how: 'push' | 'refetch') => void,
  onRefetchFailed: () => void,
): Promise<WebSocket[]> {
  const url = `${worker.url.replace(/^http/, 'ws')}/sdk/v1/stream?key=${worker.keys.client}`;
  const sockets: WebSocket[] = [];
  // Open in waves: a thousand simultaneous handshakes against one dev server mostly measure its accept queue.
  for (let i = 0; i < n; i += 100) {
    const wave = Array.from(
      { length: Math.min(100, n - i) },
      (_, j) =>
        new Promise<WebSocket>((resolve, reject) => {
          // One caller (IP) per browser, as in production: every local connection is 127.0.0.1,
          // and the per-caller stream cap (50) would refuse the rest. undici takes headers here.
          const n = i + j;
          const caller = `10.9.${n >> 8}.${n & 255}`;
          const ws = new WebSocket(url, { headers: { 'CF-Connecting-IP': caller } } as never);
          ws.onmessage = (e) => {
            const at = performance.now();
            const msg = JSON.parse(String(e.data)) as Push;
            if (msg.type === 'hello') resolve(ws);
            else if (msg.type !== 'refetch') return;
            else if (msg.values && FLAG in msg.values) onValue(msg.values[FLAG]!.value, at, 'push');
            else refetch(worker, msg.id, caller).then((value) => onValue(value, performance.now(), 'refetch'), onRefetchFailed);
          };
          ws.onerror = () => reject(new Error('stream connection failed'));
        }),
    );
    sockets.push(...(await Promise.all(wave)));
  }
  return sockets;
}

export async function benchKillSwitch(worker: Worker, clients = 1_000, toggles = 5): Promise<KillSwitchResult> {
  // Per toggle: when each client learnt a value other than the one before the toggle.
  let armed = false;
  let previous: unknown;
  let arrivals: { at: number; how: 'push' | 'refetch'; value: unknown }[] = [];
  let refetchFailures = 0;
  const sockets = await connectAll(
    worker,
    clients,
    (value, at, how) => {
      if (armed && value !== previous) arrivals.push({ at, how, value });
    },
    () => void refetchFailures++,
  );
  const fromRequest: number[] = [];
  const fromAnswer: number[] = [];
  let viaPush = 0;
  let viaRefetch = 0;
  const config = `${worker.url}/api/v1/flags/${FLAG}/environments/development`;
  // Maintenance on is its protective move (no version); off is guarded, so it carries the version.
  let version = ((await (await fetch(config, { headers: { Authorization: `Bearer ${worker.keys.admin}` } })).json()) as { version: number })
    .version;
  let current = await refetch(worker, 0);
  try {
    for (let t = 0; t < toggles; t++) {
      arrivals = [];
      previous = current;
      armed = true;
      const sentAt = performance.now();
      // wrangler dev reloads the Worker when a source file changes and answers 503 meanwhile:
      // the toggle is retried with one Idempotency-Key, so it applies once.
      const idempotencyKey = `bench-kill-switch-${Date.now()}-${t}`;
      let res: Response | undefined;
      for (let attempt = 0; attempt < 3 && (res === undefined || res.status === 503); attempt++) {
        if (attempt > 0) await sleep(2000);
        res = await fetch(`${config}/toggle`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${worker.keys.admin}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': idempotencyKey,
          },
          body: JSON.stringify({ enabled: t % 2 === 0, version, reason: 'bench: kill switch latency' }),
        });
      }
      if (!res) throw new Error('toggle not sent');
      const answeredAt = performance.now();
      if (!res.ok) throw new Error(`toggle failed: ${res.status} ${await res.text()}`);
      const { config: written } = (await res.json()) as { config: { version: number } };
      version = written.version;
      const deadline = answeredAt + 10_000;
      while (arrivals.length < clients && performance.now() < deadline) await sleep(5);
      armed = false;
      // The value every client must have learnt: what a fresh evaluation now answers.
      current = await refetch(worker, 0);
      if (current === previous) throw new Error(`toggle ${t} did not change ${FLAG} (still ${JSON.stringify(current)})`);
      const wrong = arrivals.filter((a) => a.value !== current).length;
      if (wrong > 0) throw new Error(`${wrong} clients learnt a value other than ${JSON.stringify(current)}`);
      for (const a of arrivals.slice(0, clients)) {
        fromRequest.push(a.at - sentAt);
        fromAnswer.push(Math.max(0, a.at - answeredAt));
        if (a.how === 'push') viaPush++;
        else viaRefetch++;
      }
      await sleep(200);
    }
  } finally {
    for (const ws of sockets) ws.close();
  }
  fromRequest.sort((a, b) => a - b);
  fromAnswer.sort((a, b) => a - b);
  return {
    clients,
    toggles,
    delivered: fromRequest.length,
    p50Ms: percentile(fromRequest, 0.5),
    p99Ms: percentile(fromRequest, 0.99),
    maxMs: fromRequest.at(-1) ?? Number.NaN,
    fromAnswerP99Ms: percentile(fromAnswer, 0.99),
    viaPush,
    viaRefetch,
    refetchFailures,
  };
}
