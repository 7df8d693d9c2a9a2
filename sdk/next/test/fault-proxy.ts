// A transport-level stand-in between the Next app and the real Worker: it forwards every
// request untouched, records the exposure batches the app sends, and can play "the Worker is
// down" (connections reset) without restarting wrangler.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedEvents {
  status: number;
  body: { events: Array<Record<string, unknown>> };
}

export interface FaultProxy {
  url: string;
  events: RecordedEvents[];
  snapshotRequests: () => number;
  setDown: (down: boolean) => void;
  close: () => Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let down = false;
  let snapshots = 0;
  const events: RecordedEvents[] = [];
  const server = createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    try {
      const body = await readBody(req);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
      const upstreamRes = await fetch(upstream + req.url, {
        method: req.method!,
        headers,
        ...(body.length > 0 && { body: new Uint8Array(body) }),
      });
      const text = Buffer.from(await upstreamRes.arrayBuffer());
      if (req.url?.startsWith('/sdk/v1/snapshot')) snapshots++;
      if (req.url?.startsWith('/sdk/v1/events')) events.push({ status: upstreamRes.status, body: JSON.parse(body.toString()) });
      const out: Record<string, string> = {};
      upstreamRes.headers.forEach((v, k) => {
        if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding') out[k] = v;
      });
      res.writeHead(upstreamRes.status, out).end(text);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    snapshotRequests: () => snapshots,
    setDown: (d) => {
      down = d;
      if (d) server.closeAllConnections();
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
