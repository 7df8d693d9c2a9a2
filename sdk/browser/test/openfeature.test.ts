import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeflagsWebProvider } from '../src/openfeature.ts';
import { type LocalWorker, startWorker, US_FREE_USER } from './worker.ts';

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await OpenFeature.close();
  await worker?.dispose();
});

describe('EdgeflagsWebProvider through the OpenFeature web SDK', () => {
  it('resolves edge-evaluated flags with variants, reasons and OpenFeature error codes', async () => {
    const provider = new EdgeflagsWebProvider({ url: worker.url, clientKey: worker.keys.client, storage: null, exposures: false });
    await OpenFeature.setProviderAndWait(provider, US_FREE_USER);
    const flags = OpenFeature.getClient();

    expect(flags.getBooleanDetails('ai-chatbot', false)).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    const dashboard = flags.getStringDetails('redesigned-dashboard', 'control');
    expect(dashboard.reason).toBe('SPLIT');
    expect(dashboard.value).toBe(dashboard.variant);
    expect(flags.getBooleanDetails('maintenance-mode', true)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(flags.getBooleanDetails('bulk-invoice-api', true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(flags.getNumberDetails('ai-chatbot', 3)).toMatchObject({ value: 3, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  });

  it('re-evaluates when the static context changes and announces which flags changed', async () => {
    const flags = OpenFeature.getClient();
    const changed: string[][] = [];
    flags.addHandler(ProviderEvents.ConfigurationChanged, (details) => changed.push(details?.flagsChanged ?? []));
    await OpenFeature.setContext({ ...US_FREE_USER, plan: 'enterprise', signedUpAt: new Date(0), nested: { ignored: true } });
    expect(flags.getBooleanValue('ai-chatbot', true)).toBe(false);
    expect(changed).toEqual([['ai-chatbot']]);
  });
});
