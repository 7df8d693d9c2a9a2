// EnvironmentHub over Server-Sent Events: the transport of EventSource and of the official
// OFREP web provider (ADR 0008), which reads only default `message` events.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';

type Kind = 'server' | 'client' | 'ofrep';

/** One parsed SSE block, with EventSource's defaults (no `event:` line means `message`). */
interface SseEvent {
  id?: string;
  event: string;
  data?: string;
  retry?: string;
  comment?: string;
}

// Client-visible, so browser subscribers may be told these keys changed (server-only keys are not named).
const visible = (key: string) => ({ key, kind: 'boolean', enabled: false, clientVisible: true });
const SNAPSHOT = JSON.stringify({ flags: ['maintenance-mode', 'a', 'b'].map(visible) });

/** Reads a text/event-stream body block by block, the way EventSource splits it. */
class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  /** The last block exactly as sent, for tests that pin the wire format. */
  lastBlock = '';

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(timeoutMs = 2000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#buffer.includes('\n\n')) {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no SSE event')), deadline - Date.now()));
      const { done, value } = await Promise.race([this.#reader.read(), timeout]);
      if (done) throw new Error('SSE stream ended');
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
    const end = this.#buffer.indexOf('\n\n');
    const block = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 2);
    this.lastBlock = block;
    const event: SseEvent = { event: 'message' };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) event.comment = line.slice(1).trim();
      const match = /^(id|event|data|retry): (.*)$/.exec(line);
      if (match) event[match[1] as 'id' | 'event' | 'data' | 'retry'] = match[2]!;
    }
    return event;
  }

  cancel() {
    return this.#reader.cancel();
  }
}

const readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel().catch(() => {});
});

function hub(name: string) {
  return env.HUB.getByName(`test-sse-${name}-${crypto.randomUUID()}`);
}

async function subscribe(stub: ReturnType<typeof hub>, kind: Kind, lastEventId?: number) {
  const headers: Record<string, string> = { Accept: 'text/event-stream', 'X-Edgeflags-Kind': kind, 'X-Edgeflags-Key-Id': 'key-1' };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const response = await stub.fetch('http://hub/stream', { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
  const reader = new SseReader(response.body!);
  readers.push(reader);
  expect(await reader.next()).toEqual({ event: 'message', retry: '2000' });
  return reader;
}

function event(version: number, changed: string[] = ['maintenance-mode']) {
  return { version, snapshot: SNAPSHOT, etag: `"v${version}"`, changed };
}

describe('EnvironmentHub SSE', () => {
  it('streams every publish with its id, per kind, after a retry line', async () => {
    const stub = hub('kinds');
    const server = await subscribe(stub, 'server');
    const client = await subscribe(stub, 'client');
    const ofrep = await subscribe(stub, 'ofrep');
    const secondOfrep = await subscribe(stub, 'ofrep');

    expect(await stub.publish(event(1))).toMatchObject({ version: 1, sent: 4 });

    const snapshot = await server.next();
    expect(snapshot).toMatchObject({ id: '1', event: 'snapshot' });
    expect(JSON.parse(snapshot.data!)).toEqual({ type: 'snapshot', id: 1, etag: '"v1"', snapshot: JSON.parse(SNAPSHOT) });
    const refetch = await client.next();
    expect(refetch).toMatchObject({ id: '1', event: 'refetch' });
    expect(JSON.parse(refetch.data!)).toEqual({ type: 'refetch', id: 1, etag: '"v1"', flags: ['maintenance-mode'] });
    for (const reader of [ofrep, secondOfrep]) {
      expect(await reader.next()).toEqual({ id: '1', event: 'message', data: '{"type":"refetchEvaluation","etag":"\\"v1\\""}' });
      // No `event:` line: the OFREP web provider only listens for default `message` events.
      expect(reader.lastBlock).toBe('id: 1\ndata: {"type":"refetchEvaluation","etag":"\\"v1\\""}');
    }

    await stub.publish(event(2));
    expect((await server.next()).id).toBe('2');
    expect((await ofrep.next()).id).toBe('2');
  });

  it('resumes with Last-Event-ID: behind gets the current state, current gets nothing', async () => {
    const stub = hub('resume');
    await stub.publish(event(1, ['a']));
    await stub.publish(event(2, ['b']));

    const behind = await subscribe(stub, 'client', 1);
    const caughtUp = await behind.next();
    expect(caughtUp).toMatchObject({ id: '2', event: 'refetch' });
    expect(JSON.parse(caughtUp.data!)).toEqual({ type: 'refetch', id: 2, etag: '"v2"', flags: ['b'] });

    const current = await subscribe(stub, 'ofrep', 2);
    await stub.publish(event(3));
    // The first event after `retry:` is the new publish, so nothing was replayed on connect.
    expect(await current.next()).toMatchObject({ id: '3', data: '{"type":"refetchEvaluation","etag":"\\"v3\\""}' });
  });

  it('keeps idle streams alive with a heartbeat alarm while they are open', async () => {
    const stub = hub('heartbeat');
    const reader = await subscribe(stub, 'server');
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now());

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await reader.next()).toEqual({ event: 'message', comment: 'ping' });
    // Still streaming, so the alarm was scheduled again.
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it('forgets a stream whose reader went away', async () => {
    const stub = hub('gone');
    const staying = await subscribe(stub, 'client');
    const leaving = await subscribe(stub, 'client');
    expect((await stub.stats()).connections.client).toBe(2);

    await leaving.cancel();
    let stats = await stub.stats();
    for (let attempt = 0; attempt < 100 && stats.connections.client !== 1; attempt++) {
      await stub.publish(event(attempt + 1));
      await new Promise((resolve) => setTimeout(resolve, 10));
      stats = await stub.stats();
    }
    expect(stats.connections.client).toBe(1);
    await stub.publish(event(1000));
    let last = await staying.next();
    while (last.id !== '1000') last = await staying.next();
    expect(last.event).toBe('refetch');
  });
});
