// OFREP on the wire: the routes, ETag / 304, errors and the SSE `refreshConnections` stream,
// exercised request by request through the Worker's default export.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SseReader, toggle, worker } from './ofrep-helpers.ts';
import { BASE, call, LOCAL_KEYS, seed } from './seed.ts';

beforeAll(seed);

describe('OFREP raw protocol', () => {
  const readers: SseReader[] = [];
  afterEach(async () => {
    for (const reader of readers.splice(0)) await reader.cancel();
  });

  const bulk = (key: string, context: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call('/ofrep/v1/evaluate/flags', { method: 'POST', key, json: { context }, headers });

  it('GET /ofrep/v1/configuration advertises polling and the supported types', async () => {
    const res = await call('/ofrep/v1/configuration', { key: LOCAL_KEYS.client });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: 'edgeflags',
      capabilities: {
        cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1000 } },
        flagEvaluation: { supportedTypes: ['boolean', 'string', 'integer', 'float', 'object'] },
      },
    });
  });

  it('rejects an unknown bearer token, an admin token and a bad stream token with 401', async () => {
    for (const key of ['efc_NotARealKey0000000000000000000000', 'efs_NotARealKey0000000000000000000000', LOCAL_KEYS.admin]) {
      const res = await bulk(key, {});
      expect(res.status, key.slice(0, 4)).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect((await call('/ofrep/v1/evaluate/flags', { method: 'POST', json: { context: {} } })).status).toBe(401);
    expect((await call('/ofrep/v1/configuration', { key: 'efc_nope' })).status).toBe(401);
    const stream = await call('/ofrep/v1/events?token=not-a-token', { headers: { Accept: 'text/event-stream' } });
    expect(stream.status).toBe(401);
  });

  it('bulk evaluation: ETag, 304 on If-None-Match, and a toggle invalidates the ETag', async () => {
    const context = { targetingKey: 'etag-user', plan: 'free', country: 'US' };
    const first = await bulk(LOCAL_KEYS.client, context);
    expect(first.status).toBe(200);
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^W\/".+"$/);
    const body = (await first.json()) as { flags: { key: string; value?: unknown }[] };
    expect(body.flags.find((f) => f.key === 'ai-chatbot')?.value).toBe(true);

    const again = await bulk(LOCAL_KEYS.client, context, { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(etag);
    expect(await again.text()).toBe('');

    // Another context is another answer, so the same ETag must not validate it.
    const otherContext = await bulk(LOCAL_KEYS.client, { ...context, country: 'DE' }, { 'If-None-Match': etag! });
    expect(otherContext.status).toBe(200);

    const { snapshotVersion } = await toggle('maintenance-mode', true);
    const after = await bulk(LOCAL_KEYS.client, context, { 'If-None-Match': etag! });
    expect(after.status).toBe(200);
    const newEtag = after.headers.get('ETag');
    expect(newEtag).not.toBe(etag);
    expect(newEtag).toContain(`"${snapshotVersion}-`);
    const flags = ((await after.json()) as { flags: { key: string; value?: unknown }[] }).flags;
    expect(flags.find((f) => f.key === 'maintenance-mode')?.value).toBe(true);
    expect((await bulk(LOCAL_KEYS.client, context, { 'If-None-Match': newEtag! })).status).toBe(304);
    await toggle('maintenance-mode', false);
  });

  it('a server key and a client key never share a bulk ETag, since they see different flag sets', async () => {
    const context = { targetingKey: 'u', accountId: 'acct-ent-002' };
    const server = await bulk(LOCAL_KEYS.server, context);
    const client = await bulk(LOCAL_KEYS.client, context);
    const serverFlags = ((await server.json()) as { flags: { key: string }[] }).flags.map((f) => f.key);
    const clientFlags = ((await client.json()) as { flags: { key: string }[] }).flags.map((f) => f.key);
    expect(serverFlags).toContain('bulk-invoice-api');
    expect(clientFlags).not.toContain('bulk-invoice-api');
    expect(server.headers.get('ETag')).not.toBe(client.headers.get('ETag'));
    // A client key presenting the server representation's ETag must get the client body, not a 304.
    const crossed = await bulk(LOCAL_KEYS.client, context, { 'If-None-Match': server.headers.get('ETag')! });
    expect(crossed.status).toBe(200);
  });

  it("the bulk response's eventStreams[0].url streams refetchEvaluation after a toggle", async () => {
    const res = await bulk(LOCAL_KEYS.client, { targetingKey: 'sse-user' });
    const { eventStreams } = (await res.json()) as { eventStreams: { type: string; url: string; inactivityDelaySec: number }[] };
    expect(eventStreams).toHaveLength(1);
    expect(eventStreams[0]).toMatchObject({ type: 'sse', inactivityDelaySec: 120 });
    const url = new URL(eventStreams[0]!.url);
    expect(url.origin + url.pathname).toBe(`${BASE}/ofrep/v1/events`);
    expect(url.searchParams.get('token')).toBeTruthy();

    const stream = await worker.fetch(url.toString(), { headers: { Accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const reader = new SseReader(stream.body!);
    readers.push(reader);
    expect(await reader.next()).toEqual({ retry: '2000' });
    // A fresh stream (no Last-Event-ID) is first told the current state.
    const current = await reader.next();
    expect(current.event).toBeUndefined();
    expect(JSON.parse(current.data!)).toMatchObject({ type: 'refetchEvaluation' });

    const { snapshotVersion, delivered } = await toggle('maintenance-mode', true);
    expect(delivered).toBeGreaterThanOrEqual(1);
    const pushed = await reader.next();
    // No `event:` line: the OFREP web provider listens only to default `message` events.
    expect(pushed).toEqual({
      id: String(snapshotVersion),
      data: JSON.stringify({ type: 'refetchEvaluation', etag: `"development.${snapshotVersion}"` }),
    });
    await toggle('maintenance-mode', false);
  });
});
