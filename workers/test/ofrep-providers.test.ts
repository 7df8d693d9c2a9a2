// The official OpenFeature OFREP providers, unchanged, against the real Worker in-process:
// every request goes through the Worker's default export (auth, rate limiter, edge cache, hub),
// and the web provider's SSE path uses workerd's own EventSource, pointed at the Worker.
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { ErrorCode, OpenFeature as ServerOpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { ClientProviderEvents, OpenFeature as WebOpenFeature } from '@openfeature/web-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, ofrepStreams, toggle, until, WorkerEventSource, worker, workerFetch } from './ofrep-helpers.ts';
import { BASE, LOCAL_KEYS, seed } from './seed.ts';

beforeAll(seed);

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
