// Issue 9 §2: an environment's subscribers spread over shard hubs (hub/shard-routing.ts). Runs
// in its own project (workers/vitest.shards.config.ts): 4 shards from the start, a shard full at
// 6 streams, caps of 2 per caller, 40 per key, 80 per environment.
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callerNetwork } from '../src/auth/caller.ts';
import { shardIndex, shardName } from '../src/hub/shard-routing.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { closeAll, createKey, hubStats, isOpen, type OpenSocket, openSocket, openSse, until } from './stream-helpers.ts';

beforeAll(seed);
afterEach(closeAll);

const SHARDS = 4;
const from = (ip: string) => ({ 'CF-Connecting-IP': ip });

/** An `?instance=` id that the edge hashes to `shard` for this key. */
function instanceOn(keyId: string, shard: number): string {
  for (let n = 0; ; n++) if (shardIndex(`${keyId}|i${n}`, SHARDS) === shard) return `i${n}`;
}

/** A caller address that the edge hashes to `shard` for this public key. */
function callerOn(keyId: string, shard: number, prefix = '203.0.113'): string {
  for (let n = 1; ; n++) {
    const ip = `${prefix}.${n}`;
    if (shardIndex(`${keyId}|${callerNetwork(new Headers(from(ip)))}`, SHARDS) === shard) return ip;
  }
}

const streamsIn = (environment: string, shard: number) =>
  runInDurableObject(env.HUB.getByName(shardName(environment, shard)), (_hub, state) => state.getWebSockets().length);

async function toggle(flag: string, enabled: boolean, environment = 'development') {
  const path = `/api/v1/flags/${flag}/environments/${environment}`;
  const { version } = (await (await call(path, { key: LOCAL_KEYS.admin })).json()) as { version: number };
  const res = await call(`${path}/toggle`, { method: 'POST', key: LOCAL_KEYS.admin, json: { enabled, version, reason: 'shard test' } });
  expect(res.status).toBe(200);
  return (await res.json()) as { snapshotVersion: number; delivered: number };
}

async function serverSockets(keyId: string, secret: string): Promise<OpenSocket[]> {
  const sockets: OpenSocket[] = [];
  for (let shard = 0; shard < SHARDS; shard++) {
    const socket = await openSocket(secret, {}, `/sdk/v1/stream?instance=${instanceOn(keyId, shard)}`);
    isOpen(socket);
    sockets.push(socket);
  }
  return sockets;
}

describe('subscriber shards', () => {
  it('a kill switch reaches streams on every shard, and the root counts each of them once', async () => {
    const key = await createKey('server', {}, 'staging');
    const sockets = await serverSockets(key.id, key.secret);
    for (let shard = 0; shard < SHARDS; shard++) expect(await streamsIn('staging', shard)).toBe(1);
    expect((await hubStats('staging')).connections.server).toBe(SHARDS);

    const result = await toggle('maintenance-mode', true, 'staging');
    expect(result.delivered).toBe(SHARDS);
    for (const socket of sockets) {
      await until(
        async () => socket.messages.map((m) => JSON.parse(m) as { type: string; id: number }),
        (messages) => messages.some((m) => m.type === 'snapshot' && m.id === result.snapshotVersion),
      );
    }
    // The root's delivery report counts the shards' streams.
    const recent = (await hubStats('staging')).recent[0]!;
    expect(recent).toMatchObject({ version: result.snapshotVersion, sent: SHARDS });
  });

  it("acks sent to shards add up in the root's report", async () => {
    const key = await createKey('server', {}, 'production');
    const sockets = await serverSockets(key.id, key.secret);
    const { snapshotVersion } = await toggle('maintenance-mode', true, 'production');
    for (const socket of sockets) socket.ws.send(JSON.stringify({ type: 'ack', id: snapshotVersion }));
    const stats = await until(
      () => hubStats('production'),
      (s) => s.recent[0]?.acked === SHARDS,
    );
    expect(stats.recent[0]).toMatchObject({ version: snapshotVersion, sent: SHARDS, acked: SHARDS });
    expect(stats.recent[0]!.lastAckMs).not.toBeNull();
  });

  it('Last-Event-ID on a shard replays which flags changed while the browser was away', async () => {
    const key = await createKey('client', {}, 'development');
    const ip = callerOn(key.id, 3);
    const { snapshotVersion: away } = await toggle('maintenance-mode', false);
    await toggle('maintenance-mode', true);
    const { snapshotVersion } = await toggle('maintenance-mode', false);
    const sse = await openSse(`/sdk/v1/stream?key=${key.secret}&lastEventId=${away}`, undefined, from(ip));
    isOpen(sse);
    expect(await streamsIn('development', 3)).toBe(0); // SSE, not a WebSocket: counted below
    expect((await sse.next()).retry).toBeDefined();
    const event = await sse.next();
    expect(event.id).toBe(String(snapshotVersion));
    expect(JSON.parse(event.data!)).toMatchObject({ type: 'refetch', id: snapshotVersion, flags: ['maintenance-mode'] });
    const shard = await env.HUB.getByName(shardName('development', 3)).stats();
    expect(shard.connections.client).toBe(1);
  });

  it("keeps the per-caller cap exact across shards (a caller's streams share one shard)", async () => {
    const key = await createKey('client', {}, 'development');
    const ip = callerOn(key.id, 2, '198.51.100');
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from(ip)));
    isOpen(await openSocket(key.secret, from(ip)));
    const refused = await openSocket(key.secret, from(ip));
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(429);
    expect(((await (refused as Response).json()) as { error: { message: string } }).error.message).toMatch(/caller .* cap of 2/);
    expect(await streamsIn('development', 2)).toBeGreaterThanOrEqual(1);
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from(callerOn(key.id, 1, '198.51.100'))));
  });

  it('a shard enforces its share of the key cap (⌈40 / 4⌉ = 10)', async () => {
    const root = shardName(`shard-cap-${crypto.randomUUID()}`, 0);
    const shard = env.HUB.getByName(shardName(root, 1));
    const open = (n: number) =>
      shard.fetch(`http://hub/connect?n=${n}`, {
        headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server', 'X-Edgeflags-Key-Id': 'k1', 'X-Edgeflags-Shards': '4' },
      });
    for (let n = 0; n < 10; n++) expect((await open(n)).status).toBe(101);
    const refused = await open(10);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/key holds 10 streams, its cap of 10/);
  });

  it('revoking a key closes its streams on every shard, and every shard refuses it after', async () => {
    const key = await createKey('server', {}, 'staging');
    const sockets = await serverSockets(key.id, key.secret);
    const res = await call(`/api/v1/sdk-keys/${key.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin });
    expect(await res.json()).toMatchObject({ id: key.id, streamsClosed: SHARDS });
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 4001, reason: 'key revoked or expired' });
    for (let shard = 0; shard < SHARDS; shard++) {
      const again = await env.HUB.getByName(shardName('staging', shard)).fetch('http://hub/connect', {
        headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server', 'X-Edgeflags-Key-Id': key.id },
      });
      expect(again.status).toBe(401);
    }
  });

  it("an ack from one of the root's own streams counts even when it arrives while the shards are still being called", async () => {
    const environment = `shard-acks-${crypto.randomUUID()}`;
    const root = env.HUB.getByName(environment);
    await root.publish({ version: 1, etag: '"v1"', snapshot: '{"flags":[]}', changed: [] }, { waitForKv: false });
    const res = await root.fetch('http://hub/connect?lastEventId=1', {
      headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server', 'X-Edgeflags-Key-Id': 'k', 'X-Edgeflags-Shards': '4' },
    });
    const ws = res.webSocket!;
    ws.accept();
    // Acks the push at once: it reaches the root before the root's calls to its 3 shards return.
    ws.addEventListener('message', (m) => {
      const { type, id } = JSON.parse(String(m.data)) as { type: string; id: number };
      if (type === 'snapshot') ws.send(JSON.stringify({ type: 'ack', id }));
    });
    await root.publish({ version: 2, etag: '"v2"', snapshot: '{"flags":[]}', changed: ['a'] }, { waitForKv: false });
    const stats = await until(
      () => root.stats(),
      (s) => s.recent[0]?.acked === 1,
    );
    expect(stats.recent[0]).toMatchObject({ version: 2, sent: 1, acked: 1 });
    ws.close(1000, 'done');
  });

  it('N doubles when a shard reaches its capacity, and the new shards hold the head at once', async () => {
    const environment = `shard-growth-${crypto.randomUUID()}`;
    const root = env.HUB.getByName(environment);
    await root.publish({ version: 3, etag: '"v3"', snapshot: '{"flags":[]}', changed: ['a'] }, { waitForKv: false });
    expect(await root.shardCount()).toBe(4);
    const shard = env.HUB.getByName(shardName(environment, 1));
    const hellos: string[] = [];
    for (let n = 0; n < 6; n++) {
      const res = await shard.fetch('http://hub/connect', {
        headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server', 'X-Edgeflags-Key-Id': 'k', 'X-Edgeflags-Shards': '4' },
      });
      const ws = res.webSocket!;
      ws.addEventListener('message', (m) => hellos.push(String(m.data)));
      ws.accept();
    }
    // A shard that never got a delivery asked the root for the head before greeting anyone.
    expect(hellos.every((m) => m.includes('"id":3'))).toBe(true);
    await until(
      () => root.shardCount(),
      (n) => n === 8,
    );
    expect(await env.HUB.getByName(shardName(environment, 7)).current()).toMatchObject({ version: 3, etag: '"v3"' });
    // A later publish reaches the new shards too.
    const published = await root.publish({ version: 4, etag: '"v4"', snapshot: '{"flags":[]}', changed: ['a'] }, { waitForKv: false });
    expect(published.sent).toBe(6);
    expect(await env.HUB.getByName(shardName(environment, 6)).current()).toMatchObject({ version: 4 });
    // 16 shards of 6 would hold 96 streams, past the environment cap of 80: N stays 8, so each
    // shard's share of the cap (⌈80 / 8⌉ = 10) stays above what a full shard holds.
    expect(await root.reportLoad(6)).toBe(8);
  });
});
