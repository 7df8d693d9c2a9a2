// How long the hub keeps counting streams whose clients went away, over real HTTP (`wrangler
// dev`): opens 20 SSE streams and 20 WebSockets with the local client key, drops them, and
// polls the hub's stats until the counts fall. Run: `node scripts/measure-stream-drop.mjs`.
import { startLocalWorker } from './local-worker.mjs';
import { LOCAL_KEYS } from './seed-data.mjs';

const STREAMS = 20;
const worker = await startLocalWorker({});
const admin = { headers: { Authorization: `Bearer ${LOCAL_KEYS.admin}` } };
const clients = async () => (await (await fetch(`${worker.url}/api/v1/environments/development/hub`, admin)).json()).connections.client;

async function msUntil(done) {
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    if (done(await clients())) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Number.POSITIVE_INFINITY;
}

try {
  const aborts = [];
  for (let i = 0; i < STREAMS; i++) {
    const controller = new AbortController();
    const res = await fetch(`${worker.url}/sdk/v1/stream?key=${LOCAL_KEYS.client}`, {
      headers: { Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    await res.body.getReader().read();
    aborts.push(() => controller.abort());
  }
  const sockets = [];
  for (let i = 0; i < STREAMS; i++) {
    const ws = new WebSocket(`${worker.url.replace('http', 'ws')}/sdk/v1/stream?key=${LOCAL_KEYS.client}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    sockets.push(ws);
  }
  console.log(`open: ${await clients()} client streams`);
  for (const abort of aborts) abort();
  console.log(`SSE: ${STREAMS} aborted streams left the count after ${await msUntil((n) => n <= STREAMS)} ms`);
  for (const ws of sockets) ws.close();
  console.log(`WebSocket: ${STREAMS} closed sockets left the count after ${await msUntil((n) => n === 0)} ms`);
} finally {
  await worker.dispose();
}
