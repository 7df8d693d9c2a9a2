// The official OpenFeature OFREP providers, unchanged, against the real Worker in-process:
// every request goes through the Worker's default export (auth, rate limiter, edge cache, hub),
// and the web provider's SSE path uses workerd's own EventSource, pointed at the Worker.
import { exports } from 'cloudflare:workers';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { ErrorCode, OpenFeature as ServerOpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { ClientProviderEvents, OpenFeature as WebOpenFeature } from '@openfeature/web-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE, call, LOCAL_KEYS, seed } from './seed.ts';

const worker = (exports as unknown as { default: Fetcher }).default;

/** What the providers use instead of the network: the Worker's own fetch handler. */
const workerFetch: typeof fetch = (input, init) => worker.fetch(new Request(input, init));

/**
 * workerd ships a real EventSource whose init takes a `fetcher`; the provider calls
 * `new EventSource(url)`, so this subclass only routes the stream to the Worker.
 */
class WorkerEventSource extends EventSource {
  static opened: string[] = [];
  constructor(url: string, init?: EventSourceEventSourceInit) {
    super(url, { ...init, fetcher: worker });
    WorkerEventSource.opened.push(url);
  }
}

const bearer = (key: string): [string, string][] => [['Authorization', `Bearer ${key}`]];

interface ToggleResult {
  snapshotVersion: number;
  delivered: number;
  config: { enabled: boolean };
}

async function toggle(flag: string, enabled: boolean): Promise<ToggleResult> {
  const res = await call(`/api/v1/flags/${flag}/environments/development/toggle`, {
    method: 'POST',
    key: LOCAL_KEYS.admin,
    json: { enabled, reason: 'ofrep test' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ToggleResult;
}

async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** OFREP SSE streams the development hub holds open, as the admin app sees them. */
async function ofrepStreams(): Promise<number> {
  const res = await call('/api/v1/environments/development/hub', { key: LOCAL_KEYS.admin });
  return ((await res.json()) as { connections: { ofrep: number } }).connections.ofrep;
}

/** Reads a text/event-stream body block by block, the way EventSource splits it. */
class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(timeoutMs = 3000): Promise<{ id?: string; event?: string; data?: string; retry?: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#buffer.includes('\n\n')) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      });
      try {
        const { done, value } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error('SSE stream ended');
        this.#buffer += this.#decoder.decode(value, { stream: true });
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    }
    const end = this.#buffer.indexOf('\n\n');
    const block = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 2);
    const event: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const match = /^(id|event|data|retry): ?(.*)$/.exec(line);
      if (match) event[match[1]!] = match[2]!;
    }
    return event;
  }

  cancel() {
    return this.#reader.cancel().catch(() => {});
  }
}

beforeAll(async () => {
  await seed();
});

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

describe('@openfeature/ofrep-provider (server) through the Worker', () => {
  const client = () => ServerOpenFeature.getClient();

  beforeAll(async () => {
    await ServerOpenFeature.setProviderAndWait(
      new OFREPProvider({ baseUrl: BASE, headers: bearer(LOCAL_KEYS.server), fetchImplementation: workerFetch }),
    );
  });
  afterAll(async () => {
    await ServerOpenFeature.close();
  });

  it('ai-chatbot is on for a free-plan user in GB by the targeting rule, off in DE by default', async () => {
    const gb = await client().getBooleanDetails('ai-chatbot', false, { targetingKey: 'u', plan: 'free', country: 'GB' });
    expect(gb).toMatchObject({ flagKey: 'ai-chatbot', value: true, variant: 'on', reason: StandardResolutionReasons.TARGETING_MATCH });
    expect(gb.errorCode).toBeUndefined();
    const de = await client().getBooleanDetails('ai-chatbot', true, { targetingKey: 'u', plan: 'free', country: 'DE' });
    expect(de).toMatchObject({ value: false, variant: 'off', reason: StandardResolutionReasons.DEFAULT });
  });

  it('a server key sees the server-only bulk-invoice-api flag: on for acct-ent-002, off for others', async () => {
    const ent = await client().getBooleanDetails('bulk-invoice-api', false, { targetingKey: 'u', accountId: 'acct-ent-002' });
    expect(ent).toMatchObject({ value: true, variant: 'on', reason: StandardResolutionReasons.TARGETING_MATCH });
    expect(await client().getBooleanValue('bulk-invoice-api', true, { targetingKey: 'u', accountId: 'acct-ent-004' })).toBe(false);
  });

  it('redesigned-dashboard returns a control/treatment variant by 50/50 split, stable per user', async () => {
    const seen = new Set<string>();
    for (const user of ['user-2141', 'user-21473', 'u-a', 'u-b', 'u-c']) {
      const details = await client().getStringDetails('redesigned-dashboard', 'fallback', { targetingKey: user });
      expect(details.reason).toBe(StandardResolutionReasons.SPLIT);
      expect(['control', 'treatment']).toContain(details.variant);
      expect(details.value).toBe(details.variant);
      seen.add(details.value);
      expect((await client().getStringDetails('redesigned-dashboard', 'fallback', { targetingKey: user })).value).toBe(details.value);
    }
    // Pinned by the shared test vectors: bucket 49999 gets treatment, bucket 50000 control.
    expect(await client().getStringValue('redesigned-dashboard', 'x', { targetingKey: 'user-2141' })).toBe('treatment');
    expect(await client().getStringValue('redesigned-dashboard', 'x', { targetingKey: 'user-21473' })).toBe('control');
    expect(seen).toEqual(new Set(['control', 'treatment']));
  });

  it('a missing flag returns the default with FLAG_NOT_FOUND', async () => {
    const details = await client().getBooleanDetails('no-such-flag', true, { targetingKey: 'u' });
    expect(details).toMatchObject({ value: true, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it('asking for a number from a boolean flag yields the default with TYPE_MISMATCH', async () => {
    const details = await client().getNumberDetails('ai-chatbot', 42, { targetingKey: 'u', plan: 'free', country: 'GB' });
    expect(details).toMatchObject({ value: 42, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it('a context without the bucketing attribute yields the default with TARGETING_KEY_MISSING', async () => {
    const details = await client().getBooleanDetails('new-pdf-engine', true, { targetingKey: 'u' });
    expect(details).toMatchObject({ value: true, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TARGETING_KEY_MISSING });
  });

  it('sees a kill switch on the very next evaluation after the admin toggle', async () => {
    expect(await client().getBooleanValue('maintenance-mode', true, { targetingKey: 'u' })).toBe(false);
    await toggle('maintenance-mode', true);
    const on = await client().getBooleanDetails('maintenance-mode', false, { targetingKey: 'u' });
    expect(on).toMatchObject({ value: true, variant: 'on', reason: StandardResolutionReasons.DEFAULT });
    await toggle('maintenance-mode', false);
    expect(await client().getBooleanDetails('maintenance-mode', true, { targetingKey: 'u' })).toMatchObject({
      value: false,
      reason: StandardResolutionReasons.DISABLED,
    });
  });
});

describe('@openfeature/ofrep-web-provider through the Worker', () => {
  const scope = globalThis as unknown as { EventSource: typeof EventSource };
  const previousEventSource = scope.EventSource;

  beforeAll(() => {
    // The provider's SSE manager constructs the global EventSource.
    scope.EventSource = WorkerEventSource;
  });
  afterAll(async () => {
    await WebOpenFeature.close();
    scope.EventSource = previousEventSource;
  });

  function webProvider(extra: Partial<ConstructorParameters<typeof OFREPWebProvider>[0]> = {}) {
    return new OFREPWebProvider({
      baseUrl: BASE,
      headers: bearer(LOCAL_KEYS.client),
      fetchImplementation: workerFetch,
      // workerd has no localStorage, and a test wants every answer from the network.
      cacheMode: 'disabled',
      disableVisibilityRefresh: true,
      ...extra,
    });
  }

  it('bulk evaluation serves client-visible flags and hides bulk-invoice-api; setContext re-evaluates', async () => {
    await WebOpenFeature.setProviderAndWait('ctx', webProvider({ changeDetection: 'none' }), {
      targetingKey: 'u',
      plan: 'free',
      country: 'US',
      accountId: 'acct-ent-002',
    });
    const client = WebOpenFeature.getClient('ctx');
    expect(client.getBooleanDetails('ai-chatbot', false)).toMatchObject({
      value: true,
      variant: 'on',
      reason: StandardResolutionReasons.TARGETING_MATCH,
    });
    expect(client.getBooleanValue('maintenance-mode', true)).toBe(false);
    expect(['control', 'treatment']).toContain(client.getStringValue('redesigned-dashboard', 'fallback'));
    // acct-ent-002 is targeted on, but the flag is not client-visible: the browser gets nothing.
    expect(client.getBooleanDetails('bulk-invoice-api', false)).toMatchObject({
      value: false,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });

    await WebOpenFeature.setContext('ctx', { targetingKey: 'u', plan: 'free', country: 'DE' });
    expect(client.getBooleanDetails('ai-chatbot', true)).toMatchObject({
      value: false,
      variant: 'off',
      reason: StandardResolutionReasons.DEFAULT,
    });
    await WebOpenFeature.setContext('ctx', { targetingKey: 'user-2141', plan: 'free', country: 'GB' });
    expect(client.getBooleanValue('ai-chatbot', false)).toBe(true);
    expect(client.getStringDetails('redesigned-dashboard', 'fallback')).toMatchObject({
      value: 'treatment',
      reason: StandardResolutionReasons.SPLIT,
    });
    expect(client.getNumberDetails('ai-chatbot', 7)).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it('rejects a bad client key as a fatal provider error', async () => {
    const bad = new OFREPWebProvider({
      baseUrl: BASE,
      headers: bearer('efc_NotARealKey0000000000000000000000'),
      fetchImplementation: workerFetch,
      cacheMode: 'disabled',
      changeDetection: 'none',
    });
    await expect(WebOpenFeature.setProviderAndWait('bad', bad, { targetingKey: 'u' })).rejects.toThrow();
    expect(WebOpenFeature.getClient('bad').getBooleanDetails('ai-chatbot', true)).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.ERROR,
    });
  });

  it('SSE change detection: a kill switch reaches the provider through the hub stream, without polling', async () => {
    const before = WorkerEventSource.opened.length;
    const bulkUrls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const req = new Request(input, init);
      bulkUrls.push(req.url);
      return worker.fetch(req);
    };
    await WebOpenFeature.setProviderAndWait('sse', webProvider({ changeDetection: 'sse', fetchImplementation: recording }), {
      targetingKey: 'sse-user',
    });
    const client = WebOpenFeature.getClient('sse');
    expect(client.getBooleanValue('maintenance-mode', true)).toBe(false);
    // The provider opened the eventStreams URL from the bulk response (through workerd's EventSource).
    expect(WorkerEventSource.opened.length).toBe(before + 1);
    expect(WorkerEventSource.opened.at(-1)).toMatch(/^http:\/\/edgeflags\.test\/ofrep\/v1\/events\?token=/);

    const changed = new Promise<string[]>((resolve) =>
      client.addHandler(ClientProviderEvents.ConfigurationChanged, (details) => resolve(details?.flagsChanged ?? [])),
    );
    // Let the hub register the stream before the publish (the first message is the current state).
    await until(ofrepStreams, (n) => n >= 1);
    const sent = Date.now();
    const { snapshotVersion } = await toggle('maintenance-mode', true);
    expect(await changed).toContain('maintenance-mode');
    const ms = Date.now() - sent;
    expect(client.getBooleanDetails('maintenance-mode', false)).toMatchObject({ value: true, variant: 'on' });
    // The refetch was triggered by the pushed refetchEvaluation event: it carries the event's etag.
    const etag = encodeURIComponent(`"development.${snapshotVersion}"`);
    expect(bulkUrls).toContain(`${BASE}/ofrep/v1/evaluate/flags?flagConfigEtag=${etag}`);
    console.log(`ofrep web provider (SSE): kill switch visible ${ms} ms after the admin request was sent`);
    await toggle('maintenance-mode', false);
    await until(
      () => client.getBooleanValue('maintenance-mode', true),
      (v) => v === false,
    );
  });

  it('polling change detection: the provider revalidates with If-None-Match and picks up a toggle', async () => {
    const requests: { status: number; conditional: boolean }[] = [];
    const counting: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      const res = await worker.fetch(req);
      requests.push({ status: res.status, conditional: req.headers.has('If-None-Match') });
      return res;
    };
    await WebOpenFeature.setProviderAndWait(
      'poll',
      webProvider({ changeDetection: 'polling', pollInterval: 100, fetchImplementation: counting }),
      { targetingKey: 'poll-user' },
    );
    const client = WebOpenFeature.getClient('poll');
    expect(client.getBooleanValue('maintenance-mode', true)).toBe(false);
    await until(
      () => requests.filter((r) => r.status === 304).length,
      (n) => n >= 2,
    );
    expect(requests.every((r, i) => i === 0 || r.conditional)).toBe(true);

    await toggle('maintenance-mode', true);
    await until(
      () => client.getBooleanValue('maintenance-mode', false),
      (v) => v === true,
    );
    await toggle('maintenance-mode', false);
    await until(
      () => client.getBooleanValue('maintenance-mode', true),
      (v) => v === false,
    );
  });
});
