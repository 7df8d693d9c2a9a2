import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.ts';
import { EdgeflagsProvider, toEdgeflagsContext } from '../src/openfeature.ts';
import { type LocalWorker, startWorker, toggle, waitFor } from './worker.ts';

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await OpenFeature.close();
  await worker?.dispose();
});

describe('EdgeflagsProvider (OpenFeature server provider)', () => {
  it('answers OpenFeature calls from local evaluation, with variants and reasons', async () => {
    const provider = new EdgeflagsProvider({ url: worker.url, serverKey: worker.keys.server, logger: false });
    await OpenFeature.setProviderAndWait('of-read', provider);
    const client = OpenFeature.getClient('of-read');
    expect(client.providerStatus).toBe(ProviderStatus.READY);

    const free = { targetingKey: 'u-1', accountId: 'acct-1', plan: 'free', country: 'US' };
    expect(await client.getBooleanValue('ai-chatbot', false, free)).toBe(true);
    expect(await client.getBooleanDetails('ai-chatbot', false, free)).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'free-us-gb', ruleIndex: 0 },
    });
    const arm = await client.getStringDetails('redesigned-dashboard', 'control', { targetingKey: 'u-9' });
    expect(arm).toMatchObject({ reason: 'SPLIT' });
    expect(arm.value).toBe(provider.client.variant('redesigned-dashboard', { targetingKey: 'u-9' }));
    expect(await client.getBooleanDetails('maintenance-mode', true, free)).toMatchObject({ value: false, reason: 'DISABLED' });
    // Same answers as the native API for the account-bucketed rollout.
    for (let i = 0; i < 100; i++) {
      const ctx = { targetingKey: 'u-1', accountId: `acct-${i}` };
      expect(await client.getBooleanValue('new-pdf-engine', false, ctx)).toBe(provider.client.isEnabled('new-pdf-engine', ctx));
    }
  });

  it('maps errors to OpenFeature error codes and returns the default', async () => {
    const client = OpenFeature.getClient('of-read');
    expect(await client.getBooleanDetails('no-such-flag', true, {})).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    expect(await client.getNumberDetails('ai-chatbot', 3, {})).toMatchObject({
      value: 3,
      reason: 'ERROR',
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(await client.getStringDetails('redesigned-dashboard', 'control', {})).toMatchObject({
      value: 'control',
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
  });

  it('emits ConfigurationChanged when a pushed change lands', async () => {
    const provider = new EdgeflagsProvider({ url: worker.url, serverKey: worker.keys.server, logger: false });
    await OpenFeature.setProviderAndWait('of-change', provider);
    await waitFor(() => provider.client.status().streaming, 'the stream to be live');
    const client = OpenFeature.getClient('of-change');
    let changes = 0;
    client.addHandler(ProviderEvents.ConfigurationChanged, () => void changes++);
    await toggle(worker, 'maintenance-mode', true);
    await waitFor(() => changes > 0, 'a ConfigurationChanged event');
    expect(await client.getBooleanValue('maintenance-mode', false, { targetingKey: 'u' })).toBe(true);
  });

  it('reports PROVIDER_NOT_READY, then READY once a snapshot arrives, over a shared client', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const shared = createClient({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      readyTimeoutMs: 200,
      logger: false,
      fetch: async (input, init) => {
        await gate;
        return fetch(input, init);
      },
    });
    const provider = new EdgeflagsProvider(shared);
    await OpenFeature.setProviderAndWait('of-late', provider).catch(() => undefined);
    const client = OpenFeature.getClient('of-late');
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await client.getBooleanDetails('ai-chatbot', false, {})).toMatchObject({ value: false, reason: 'ERROR' });
    release();
    await waitFor(() => client.providerStatus === ProviderStatus.READY, 'the provider to recover');
    expect(await client.getBooleanValue('ai-chatbot', false, { plan: 'free', country: 'GB' })).toBe(true);
    await shared.close();
  });

  it('flattens OpenFeature contexts: dates to ISO strings, nested objects dropped, flat ones uncopied', () => {
    const flat = { targetingKey: 'u', plan: 'pro', tags: ['a', 'b'] };
    expect(toEdgeflagsContext(flat)).toBe(flat);
    const at = new Date('2026-01-02T03:04:05Z');
    expect(toEdgeflagsContext({ targetingKey: 'u', signup: at, org: { id: 'x' }, n: 1 })).toEqual({
      targetingKey: 'u',
      signup: '2026-01-02T03:04:05.000Z',
      n: 1,
    });
  });
});
