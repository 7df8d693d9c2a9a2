// The streaming contract (/api/v1/streams.json) against what the hub really sends: every message
// read here from real streams is parsed with the zod schemas the document is generated from.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { app } from '../src/app.ts';
import {
  AckMessage,
  HelloMessage,
  RefetchEvaluationMessage,
  RefetchMessage,
  SnapshotMessage,
  streamsDocument,
  VALIDATOR_PATTERNS,
} from '../src/hub/stream-contract.ts';
import { toggle } from './ofrep-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { closeAll, hubStats, isOpen, openSocket, openSse, until } from './stream-helpers.ts';

beforeAll(async () => {
  await seed();
  // A published change gives the hub its head: until then a stream has no state to send first.
  await toggle('maintenance-mode', true);
  await toggle('maintenance-mode', false);
});
afterEach(closeAll);

const snapshotEtag = async () => (await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server })).headers.get('ETag');

async function ofrepStreamPath(key: string): Promise<string> {
  const res = await call('/ofrep/v1/evaluate/flags', { method: 'POST', key, json: { context: { targetingKey: 'u1' } } });
  const { eventStreams } = (await res.json()) as { eventStreams: { url: string }[] };
  const url = new URL(eventStreams[0]!.url);
  return url.pathname + url.search;
}

describe('the streams document', () => {
  it('is served publicly as AsyncAPI 3.0, generated from the zod schemas', async () => {
    const res = await call('/api/v1/streams.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as ReturnType<typeof streamsDocument>;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.sdkStream.messages.snapshot.payload).toEqual(
      z.toJSONSchema(SnapshotMessage, { unrepresentable: 'any', io: 'output' }),
    );
    expect(doc.channels.ofrepEvents.messages.refetchEvaluation.payload.properties).toHaveProperty('etag');
    expect(doc.info.description).toContain('Last-Event-ID');
  });

  it('names only addresses the app serves', () => {
    const served = new Set(app.routes.map((r) => r.path.replace(/:(\w+)/g, '{$1}')));
    for (const channel of Object.values(streamsDocument().channels)) expect(served, channel.address).toContain(channel.address);
  });
});

describe('real messages match the documented schemas', () => {
  it('server keys: a snapshot on connect, acks accepted, a snapshot per change; its etag is the snapshot ETag', async () => {
    const socket = await openSocket(LOCAL_KEYS.server);
    isOpen(socket);
    await until(
      async () => socket.messages.length,
      (n) => n >= 1,
    );
    const first = SnapshotMessage.parse(JSON.parse(socket.messages[0]!));
    expect(first.etag).toBe(await snapshotEtag());
    socket.ws.send(JSON.stringify(AckMessage.parse({ type: 'ack', id: first.id })));
    const { snapshotVersion } = await toggle('maintenance-mode', true);
    await until(
      async () => socket.messages.length,
      (n) => n >= 2,
    );
    const pushed = SnapshotMessage.parse(JSON.parse(socket.messages[1]!));
    expect(pushed.id).toBe(snapshotVersion);
    expect(pushed.etag).toBe(await snapshotEtag());
    // The documented ack counts toward the change's delivery figures.
    socket.ws.send(JSON.stringify(AckMessage.parse({ type: 'ack', id: pushed.id })));
    await until(hubStats, (stats) => (stats.recent.find((e) => e.version === pushed.id)?.acked ?? 0) >= 1);
    await toggle('maintenance-mode', false);
  });

  it('a WebSocket resuming at the current version gets hello', async () => {
    const head = SnapshotMessage.parse(JSON.parse(await firstSocketMessage(LOCAL_KEYS.server)));
    const socket = await openSocket(LOCAL_KEYS.server, { 'Last-Event-ID': String(head.id) });
    isOpen(socket);
    await until(
      async () => socket.messages.length,
      (n) => n >= 1,
    );
    expect(HelloMessage.parse(JSON.parse(socket.messages[0]!))).toEqual({ type: 'hello', id: head.id });
  });

  it('client keys over SSE: event refetch whose id is the data id; resuming from the current id sends nothing until a change', async () => {
    const sse = await openSse(`/sdk/v1/stream?key=${LOCAL_KEYS.client}`);
    isOpen(sse);
    expect(await sse.next()).toEqual({ retry: '2000' });
    const first = await sse.next();
    expect(first.event).toBe('refetch');
    const current = RefetchMessage.parse(JSON.parse(first.data!));
    expect(first.id).toBe(String(current.id));
    expect(current.flags).toBeUndefined(); // a fresh stream cannot know what it missed

    const resumed = await openSse('/sdk/v1/stream', LOCAL_KEYS.client, { 'Last-Event-ID': String(current.id) });
    isOpen(resumed);
    expect(await resumed.next()).toEqual({ retry: '2000' });
    const { snapshotVersion } = await toggle('maintenance-mode', true);
    let next = await resumed.next();
    while (next.comment !== undefined && next.data === undefined) next = await resumed.next(); // heartbeats
    const change = RefetchMessage.parse(JSON.parse(next.data!));
    expect(change).toMatchObject({ id: snapshotVersion, etag: `"development.${snapshotVersion}"` });
    expect(change.flags).toContain('maintenance-mode');
    await toggle('maintenance-mode', false);
  });

  it('client keys: a change that leaves each changed flag one answer for all pushes it in `values`, equal to what POST /sdk/v1/evaluate answers; a targeted change pushes none', async () => {
    const nextRefetch = async (sse: Awaited<ReturnType<typeof openSse>>) => {
      isOpen(sse);
      let next = await sse.next();
      while (next.data === undefined) next = await sse.next(); // retry:, heartbeats
      return RefetchMessage.parse(JSON.parse(next.data));
    };
    const head = (await hubStats()).version;
    const killed = await openSse('/sdk/v1/stream', LOCAL_KEYS.client, { 'Last-Event-ID': String(head) });
    await toggle('ai-chatbot', false); // switched off: 'off' for everyone
    const kill = await nextRefetch(killed);
    const evaluated = await call('/sdk/v1/evaluate', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { plan: 'free', country: 'US' } },
    });
    const { flags } = (await evaluated.json()) as { flags: Record<string, unknown> };
    expect(kill.flags).toEqual(['ai-chatbot']);
    expect(kill.values).toEqual({ 'ai-chatbot': flags['ai-chatbot'] });
    expect(kill.values?.['ai-chatbot']).toMatchObject({ value: false, reason: 'DISABLED' });

    const back = (await hubStats()).version;
    const targeted = await openSse('/sdk/v1/stream', LOCAL_KEYS.client, { 'Last-Event-ID': String(back) });
    await toggle('ai-chatbot', true); // its rule answers per context again
    const change = await nextRefetch(targeted);
    expect(change.flags).toEqual(['ai-chatbot']);
    expect(change.values).toBeUndefined();
  });

  it('a new OFREP stream first sends refetchEvaluation with the current snapshot ETag', async () => {
    const sse = await openSse(await ofrepStreamPath(LOCAL_KEYS.client));
    isOpen(sse);
    expect(await sse.next()).toEqual({ retry: '2000' });
    const first = await sse.next();
    expect(first.event).toBeUndefined(); // default `message`: what the OFREP web provider reads
    expect(RefetchEvaluationMessage.parse(JSON.parse(first.data!)).etag).toBe(await snapshotEtag());
  });

  it('the admin change stream sends refetch', async () => {
    const sse = await openSse('/api/v1/environments/development/changes', LOCAL_KEYS.admin);
    isOpen(sse);
    expect(await sse.next()).toEqual({ retry: '2000' });
    const first = await sse.next();
    expect(first.event).toBe('refetch');
    RefetchMessage.parse(JSON.parse(first.data!));
  });
});

async function firstSocketMessage(key: string): Promise<string> {
  const socket = await openSocket(key);
  isOpen(socket);
  await until(
    async () => socket.messages.length,
    (n) => n >= 1,
  );
  socket.ws.close(1000, 'done');
  return socket.messages[0]!;
}

describe('validators', () => {
  it('every ETag the API answers has its documented shape; the stream etag is the snapshot ETag', async () => {
    const etag = async (path: string, key: string, json?: unknown) =>
      (await call(path, { method: json ? 'POST' : 'GET', key, json })).headers.get('ETag') ?? '';
    expect(await etag('/api/v1/flags/ai-chatbot', LOCAL_KEYS.admin)).toMatch(VALIDATOR_PATTERNS.version);
    expect(await etag('/api/v1/flags/ai-chatbot/environments/development', LOCAL_KEYS.admin)).toMatch(VALIDATOR_PATTERNS.version);
    expect(await snapshotEtag()).toMatch(VALIDATOR_PATTERNS.snapshot);
    expect(await etag('/sdk/v1/evaluate', LOCAL_KEYS.client, { context: { targetingKey: 'u1' } })).toMatch(VALIDATOR_PATTERNS.evaluation);
    expect(await etag('/ofrep/v1/evaluate/flags', LOCAL_KEYS.client, { context: { targetingKey: 'u1' } })).toMatch(
      VALIDATOR_PATTERNS.evaluation,
    );
    const { patterns } = streamsDocument().info['x-validators'];
    expect(patterns.snapshot).toBe(VALIDATOR_PATTERNS.snapshot.source);
  });

  it('the OFREP provider flow: ?flagConfigEtag= with the stream etag and If-None-Match with the evaluation ETag gives 304 when unchanged', async () => {
    const json = { context: { targetingKey: 'u1' } };
    const first = await call('/ofrep/v1/evaluate/flags', { method: 'POST', key: LOCAL_KEYS.client, json });
    const evaluation = first.headers.get('ETag')!;
    const configEtag = encodeURIComponent((await snapshotEtag())!);
    const again = await call(`/ofrep/v1/evaluate/flags?flagConfigEtag=${configEtag}`, {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json,
      headers: { 'If-None-Match': evaluation },
    });
    expect(again.status).toBe(304);
  });

  it('the flag ETag is the version PATCH takes in If-Match', async () => {
    const etag = (await call('/api/v1/flags/ai-chatbot', { key: LOCAL_KEYS.admin })).headers.get('ETag')!;
    const res = await call('/api/v1/flags/ai-chatbot', {
      method: 'PATCH',
      key: LOCAL_KEYS.admin,
      headers: { 'If-Match': etag },
      json: { owner: 'contract' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});
