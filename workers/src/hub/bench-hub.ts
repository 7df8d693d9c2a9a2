// A Worker entry for the fan-out benchmark (sdk/bench/src/edge/fanout.ts, through the package
// export `@edgeflags/worker/bench/hub`): the real EnvironmentHub, root and shards, behind the same
// shard routing as GET /sdk/v1/stream (sdk/forward-to-hub.ts), without the Worker's key checks and
// D1 reads. The subscribers live in a SubscriberFleet object in the same workerd: a TCP stream
// costs workerd two file descriptors, and this machine allows 20,000, so 10,000 streams from
// outside cannot open. Never deployed.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { shardCountFor } from '../sdk/shard-count.ts';
import { EnvironmentHub, type PublishEvent } from './environment-hub.ts';
import { routingKey, shardIndex, shardName } from './shard-routing.ts';

export { EnvironmentHub };

interface BenchEnv extends Env {
  FLEET: DurableObjectNamespace<SubscriberFleet>;
}

const ENVIRONMENT = 'bench';
const WAVE = 500;

/** Opens one server stream the way the stream route does: to the shard its instance id hashes to. */
async function openStream(env: Env, n: number): Promise<Response> {
  const shards = await shardCountFor(env, ENVIRONMENT);
  const instance = `bench-${n}`;
  // 16 server keys, as many services would hold: each stays far under its per-key cap in every shard.
  const owner = { keyId: `bench-key-${n % 16}`, caller: '' };
  const shard = shardIndex(routingKey('server', owner, instance), shards);
  const request = new Request(`https://hub/connect?instance=${instance}`, {
    headers: {
      Upgrade: 'websocket',
      'X-Edgeflags-Kind': 'server',
      'X-Edgeflags-Key-Id': owner.keyId,
      'X-Edgeflags-Shards': String(shards),
    },
  });
  return env.HUB.getByName(shardName(ENVIRONMENT, shard)).fetch(request);
}

/** What one publish looked like from the subscribers: ms from the publish call to each arrival of its version. */
export interface FleetPublish {
  sent: number;
  latencies: number[];
  /** Subscribers this object holds, and how many of them the hub side has closed since they opened. */
  held: number;
  closed: number;
}

/** N server-kind subscribers in one object; it times each push of a version from the publish it made. */
export class SubscriberFleet extends DurableObject<BenchEnv> {
  #sockets: WebSocket[] = [];
  #target = Number.POSITIVE_INFINITY;
  #arrivals: number[] = [];
  #closed = 0;

  async open(n: number): Promise<number> {
    for (let i = this.#sockets.length; i < n; i += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, n - i) }, async (_, j) => {
        const res = await openStream(this.env, i + j);
        const ws = res.webSocket;
        if (!ws) throw new Error(`stream ${i + j} refused: ${res.status} ${await res.text()}`);
        ws.accept();
        ws.addEventListener('close', () => this.#closed++);
        ws.addEventListener('message', (event) => {
          // The version, read without parsing the snapshot.
          const id = Number(/"id":(\d+)/.exec(String(event.data).slice(0, 48))?.[1]);
          if (id >= this.#target) this.#arrivals.push(Date.now());
        });
        return ws;
      });
      this.#sockets.push(...(await Promise.all(wave)));
    }
    return this.#sockets.length;
  }

  async publish(event: PublishEvent, waitMs = 20_000): Promise<FleetPublish> {
    this.#arrivals = [];
    this.#target = event.version;
    const sentAt = Date.now();
    const { sent } = await this.env.HUB.getByName(ENVIRONMENT).publish(event, { waitForKv: false });
    const deadline = Date.now() + waitMs;
    while (this.#arrivals.length < this.#sockets.length && Date.now() < deadline) await scheduler.wait(2);
    return { sent, latencies: this.#arrivals.map((at) => at - sentAt), held: this.#sockets.length, closed: this.#closed };
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets.splice(0)) ws.close(1000, 'bench done');
  }
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const fleet = env.FLEET.getByName('fleet');
    if (url.pathname === '/open') return Response.json(await fleet.open(Number(url.searchParams.get('n'))));
    if (url.pathname === '/publish') return Response.json(await fleet.publish((await request.json()) as PublishEvent));
    if (url.pathname === '/shards') return Response.json(await env.HUB.getByName(ENVIRONMENT).shardCount());
    if (url.pathname === '/close') {
      await fleet.close();
      return Response.json({ closed: true });
    }
    // Seeds the root before any subscriber connects.
    if (url.pathname === '/seed')
      return Response.json(await env.HUB.getByName(ENVIRONMENT).publish((await request.json()) as PublishEvent, { waitForKv: false }));
    return new Response('not found', { status: 404 });
  },
};
