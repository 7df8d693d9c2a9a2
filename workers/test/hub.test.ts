// EnvironmentHub over WebSockets and RPC, called directly through its binding inside workerd
// (the Worker's authentication sits in front of it and is tested with the routes).
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentHub } from '../src/hub/environment-hub.ts';

type Kind = 'server' | 'client' | 'ofrep';
type Message = Record<string, unknown>;

// Client-visible, so browser subscribers may be told these keys changed (server-only keys are not named).
const visible = (key: string) => ({ key, kind: 'boolean', enabled: true, clientVisible: true });
const SNAPSHOT = JSON.stringify({ flags: ['maintenance-mode', 'new-pdf-engine', 'ai-chatbot', 'a', 'b', 'c'].map(visible), segments: [] });

/** A test-side subscriber that queues what the hub sends so tests can await it in order. */
class Subscriber {
  readonly received: Message[] = [];
  #waiters: Array<() => void> = [];
  #read = 0;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (event) => {
      this.received.push(JSON.parse(event.data as string) as Message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.accept();
  }

  /** The next message not yet returned, failing after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.received.length) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('no message from the hub');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, remaining);
      });
    }
    return this.received[this.#read++]!;
  }

  send(data: string | ArrayBuffer) {
    this.ws.send(data);
  }
}

const open: WebSocket[] = [];

afterEach(() => {
  for (const ws of open.splice(0)) ws.close(1000, 'test done');
});

function hub(name: string) {
  return env.HUB.getByName(`test-${name}-${crypto.randomUUID()}`);
}

async function connect(stub: ReturnType<typeof hub>, kind: Kind, resume?: { query?: number; header?: number }) {
  const query = resume?.query === undefined ? '' : `?lastEventId=${resume.query}`;
  const headers: Record<string, string> = { Upgrade: 'websocket', 'X-Edgeflags-Kind': kind, 'X-Edgeflags-Key-Id': 'key-1' };
  if (resume?.header !== undefined) headers['Last-Event-ID'] = String(resume.header);
  const response = await stub.fetch(`http://hub/connect${query}`, { headers });
  expect(response.status).toBe(101);
  open.push(response.webSocket!);
  return new Subscriber(response.webSocket!);
}

function event(version: number, changed: string[] = ['maintenance-mode']) {
  return { version, snapshot: SNAPSHOT, etag: `"v${version}"`, changed };
}

/** Polls stats until `done` holds: acks and closes reach the object asynchronously. */
async function statsWhen(stub: ReturnType<typeof hub>, done: (stats: Awaited<ReturnType<typeof stub.stats>>) => boolean) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const stats = await stub.stats();
    if (done(stats)) return stats;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('stats never reached the expected state');
}

describe('EnvironmentHub publish', () => {
  it('sends each kind its own message, once per socket', async () => {
    const stub = hub('kinds');
    const [server, client, ofrep] = [await connect(stub, 'server'), await connect(stub, 'client'), await connect(stub, 'ofrep')];
    for (const sub of [server, client, ofrep]) expect(await sub.next()).toEqual({ type: 'hello', id: 0 });

    expect(await stub.publish(event(1, ['maintenance-mode', 'new-pdf-engine']))).toMatchObject({ version: 1, sent: 3 });

    expect(await server.next()).toEqual({ type: 'snapshot', id: 1, etag: '"v1"', snapshot: JSON.parse(SNAPSHOT) });
    expect(await client.next()).toEqual({ type: 'refetch', id: 1, etag: '"v1"', flags: ['maintenance-mode', 'new-pdf-engine'] });
    expect(await ofrep.next()).toEqual({ type: 'refetchEvaluation', etag: '"v1"' });

    await stub.publish(event(2));
    for (const sub of [server, client, ofrep]) expect((await sub.next()).etag).toBe('"v2"');
    for (const sub of [server, client, ofrep]) expect(sub.received).toHaveLength(3);
  });

  it('ignores a version equal to or older than the current one', async () => {
    const stub = hub('stale');
    const sub = await connect(stub, 'server');
    await sub.next();
    await stub.publish(event(5));
    expect((await sub.next()).id).toBe(5);

    expect(await stub.publish(event(5))).toMatchObject({ version: 5, sent: 0 });
    expect(await stub.publish(event(3))).toMatchObject({ version: 5, sent: 0 });
    expect((await stub.current())?.version).toBe(5);

    await stub.publish(event(6));
    expect((await sub.next()).id).toBe(6);
    expect(sub.received.map((message) => message.id)).toEqual([0, 5, 6]);
  });

  it('rejects a malformed publish instead of broadcasting it', async () => {
    const stub = hub('malformed');
    // Called inside the object: a rejection crossing RPC is reported by the test pool as unhandled.
    await runInDurableObject(stub, async (instance: EnvironmentHub) => {
      await expect(instance.publish({ version: 0, snapshot: SNAPSHOT, etag: '"x"', changed: [] })).rejects.toThrow(/publish/);
      await expect(instance.publish({ ...event(1), snapshot: undefined as unknown as string })).rejects.toThrow(/publish/);
    });
    expect(await stub.current()).toBeNull();
  });
});

describe('EnvironmentHub reconnect', () => {
  it('gives a server SDK that is behind the full current snapshot', async () => {
    const stub = hub('resume-server');
    for (const version of [1, 2, 3]) await stub.publish(event(version));
    const sub = await connect(stub, 'server', { query: 1 });
    expect(await sub.next()).toEqual({ type: 'snapshot', id: 3, etag: '"v3"', snapshot: JSON.parse(SNAPSHOT) });
  });

  it('tells a browser that is behind which flags changed since its last id', async () => {
    const stub = hub('resume-client');
    await stub.publish(event(1, ['a']));
    await stub.publish(event(2, ['b']));
    await stub.publish(event(3, ['c', 'b']));
    const fromHeader = await connect(stub, 'client', { header: 1 });
    expect(await fromHeader.next()).toEqual({ type: 'refetch', id: 3, etag: '"v3"', flags: ['b', 'c'] });
    const fresh = await connect(stub, 'client');
    expect(await fresh.next()).toEqual({ type: 'refetch', id: 3, etag: '"v3"' });
  });

  it('sends only a hello to a client that is already current', async () => {
    const stub = hub('resume-equal');
    await stub.publish(event(1));
    await stub.publish(event(2));
    const sub = await connect(stub, 'server', { query: 2 });
    expect(await sub.next()).toEqual({ type: 'hello', id: 2 });
    await stub.publish(event(3));
    expect((await sub.next()).id).toBe(3);
    expect(sub.received.map((message) => message.type)).toEqual(['hello', 'snapshot']);
  });

  it('refuses a request that names no client kind', async () => {
    const stub = hub('no-kind');
    const response = await stub.fetch('http://hub/connect', { headers: { Upgrade: 'websocket' } });
    expect(response.status).toBe(400);
  });
});

describe('EnvironmentHub state', () => {
  it('answers current() with or without the snapshot, and keeps it across eviction', async () => {
    const stub = hub('current');
    expect(await stub.current()).toBeNull();
    await stub.publish(event(4));
    expect(await stub.current()).toEqual({ version: 4, etag: '"v4"', snapshot: SNAPSHOT });
    expect(await stub.current(4)).toEqual({ version: 4, etag: '"v4"' });

    await evictDurableObject(stub);
    expect(await stub.current(3)).toEqual({ version: 4, etag: '"v4"', snapshot: SNAPSHOT });
    expect(await stub.publish(event(4))).toMatchObject({ version: 4, sent: 0 });
  });

  it('counts each socket ack once per version and ignores malformed messages', async () => {
    const stub = hub('acks');
    const subs = [await connect(stub, 'server'), await connect(stub, 'server'), await connect(stub, 'client')];
    for (const sub of subs) await sub.next();
    await stub.publish(event(1));
    for (const sub of subs) await sub.next();

    const [first, second, third] = subs as [Subscriber, Subscriber, Subscriber];
    first.send(JSON.stringify({ type: 'ack', id: 1 }));
    first.send(JSON.stringify({ type: 'ack', id: 1 }));
    second.send(JSON.stringify({ type: 'ack', id: 1 }));
    third.send('not json');
    third.send(new Uint8Array([1, 2, 3]).buffer);
    third.send(JSON.stringify({ type: 'ack', id: 'one' }));
    third.send(JSON.stringify({ type: 'ack', id: 99 }));

    await statsWhen(stub, (s) => (s.recent[0]?.acked ?? 0) >= 2);

    // The socket that sent garbage is still subscribed.
    await stub.publish(event(2));
    for (const sub of subs) expect((await sub.next()).id).toBe(2);
    // A socket's messages are handled in order, so once this ack counts, the duplicate above was seen too.
    first.send(JSON.stringify({ type: 'ack', id: 2 }));
    const stats = await statsWhen(stub, (s) => s.recent[0]?.acked === 1);

    expect(stats.recent.map((entry) => entry.version)).toEqual([2, 1]);
    expect(stats.recent[1]).toMatchObject({ version: 1, sent: 3, acked: 2 });
    expect(stats.recent[1]?.lastAckMs).toBeGreaterThanOrEqual(0);
  });

  it('drops closed sockets from the connection counts', async () => {
    const stub = hub('close');
    const subs = [
      await connect(stub, 'server'),
      await connect(stub, 'client'),
      await connect(stub, 'client'),
      await connect(stub, 'ofrep'),
    ];
    for (const sub of subs) await sub.next();
    expect((await stub.stats()).connections).toEqual({ server: 1, client: 2, ofrep: 1, admin: 0 });

    subs[1]!.ws.close(1000, 'bye');
    subs[3]!.ws.close(1001, 'away');
    const stats = await statsWhen(stub, (s) => s.connections.client === 1 && s.connections.ofrep === 0);
    expect(stats.connections).toEqual({ server: 1, client: 1, ofrep: 0, admin: 0 });
    expect((await stub.publish(event(1))).sent).toBe(2);
  });

  it('keeps only the most recent events in stats, newest first', async () => {
    const stub = hub('ring');
    for (let version = 1; version <= 30; version++) await stub.publish(event(version));
    const { version, recent } = await stub.stats();
    expect(version).toBe(30);
    expect(recent).toHaveLength(20);
    expect(recent[0]?.version).toBe(30);
    expect(recent.at(-1)?.version).toBe(11);
  });

  it('keeps sockets subscribed, and their acks deduplicated, across hibernation', async () => {
    const stub = hub('hibernate');
    const sub = await connect(stub, 'client');
    await sub.next();
    await stub.publish(event(1));
    await sub.next();
    sub.send(JSON.stringify({ type: 'ack', id: 1 }));
    await statsWhen(stub, (s) => s.recent[0]?.acked === 1);

    await evictDurableObject(stub);
    sub.send(JSON.stringify({ type: 'ack', id: 1 }));
    expect(await stub.publish(event(2, ['ai-chatbot']))).toMatchObject({ version: 2, sent: 1 });
    expect(await sub.next()).toEqual({ type: 'refetch', id: 2, etag: '"v2"', flags: ['ai-chatbot'] });
    sub.send(JSON.stringify({ type: 'ack', id: 2 }));
    const stats = await statsWhen(stub, (s) => s.recent[0]?.acked === 1);
    expect(stats.recent[1]).toMatchObject({ version: 1, acked: 1 });
    expect(stats.connections.client).toBe(1);
  });
});
