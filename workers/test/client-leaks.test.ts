// Issue 8 item 9: a public client key learns nothing about flags it cannot evaluate: the
// browser stream's `refetch` names only client-visible flags, and OFREP error details for a
// client key do not say which attribute a flag buckets by.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toggle } from './ofrep-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { closeAll, isOpen, openSse } from './stream-helpers.ts';

beforeAll(seed);
afterEach(closeAll);

/** Reads `refetch` events until one with `id`, returning its data. */
async function refetchFor(stream: { next(): Promise<Record<string, string>> }, id: number) {
  for (;;) {
    const event = await stream.next();
    if (event.event !== 'refetch' || !event.data) continue;
    const data = JSON.parse(event.data) as { id: number; flags?: string[] };
    if (data.id === id) return data;
  }
}

describe('browser change stream', () => {
  it('names client-visible flags that changed and never a server-only one; admin consoles see all', async () => {
    const browser = await openSse(`/sdk/v1/stream?key=${LOCAL_KEYS.client}`);
    isOpen(browser);
    const adminConsole = await openSse('/api/v1/environments/development/changes', LOCAL_KEYS.admin);
    isOpen(adminConsole);

    // bulk-invoice-api is server-only (no clientVisible in the seed).
    const hidden = await toggle('bulk-invoice-api', false);
    expect(await refetchFor(browser, hidden.snapshotVersion)).toEqual(expect.objectContaining({ flags: [] }));
    expect(await refetchFor(adminConsole, hidden.snapshotVersion)).toEqual(expect.objectContaining({ flags: ['bulk-invoice-api'] }));

    const visible = await toggle('maintenance-mode', true);
    expect(await refetchFor(browser, visible.snapshotVersion)).toEqual(expect.objectContaining({ flags: ['maintenance-mode'] }));

    await toggle('maintenance-mode', false);
    await toggle('bulk-invoice-api', true);
  });

  it('leaves server-only keys out of what a resuming browser is told changed', async () => {
    const before = await toggle('bulk-invoice-api', false);
    const after = await toggle('maintenance-mode', true);
    const resumed = await openSse(`/sdk/v1/stream?key=${LOCAL_KEYS.client}&lastEventId=${before.snapshotVersion - 1}`);
    isOpen(resumed);
    const caughtUp = await refetchFor(resumed, after.snapshotVersion);
    expect(caughtUp.flags).toEqual(['maintenance-mode']);
    await toggle('maintenance-mode', false);
    await toggle('bulk-invoice-api', true);
  });
});

describe('OFREP error details', () => {
  const evaluate = async (key: string, flag: string, context: Record<string, unknown>) => {
    const res = await call(`/ofrep/v1/evaluate/flags/${flag}`, { method: 'POST', key, json: { context } });
    return { status: res.status, body: (await res.json()) as { errorCode?: string; errorDetails?: string } };
  };

  it('tells a client key only the error code and a generic sentence, never the bucketing attribute', async () => {
    // new-pdf-engine is client-visible and buckets by accountId.
    const client = await evaluate(LOCAL_KEYS.client, 'new-pdf-engine', { targetingKey: 'u' });
    expect(client).toEqual({
      status: 400,
      body: { key: 'new-pdf-engine', errorCode: 'TARGETING_KEY_MISSING', errorDetails: 'the context lacks an attribute this flag needs' },
    });
    expect(JSON.stringify(client.body)).not.toContain('accountId');

    const bulk = await call('/ofrep/v1/evaluate/flags', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { targetingKey: 'u' } },
    });
    const flags = ((await bulk.json()) as { flags: Array<{ key: string; errorDetails?: string }> }).flags;
    expect(flags.find((f) => f.key === 'new-pdf-engine')?.errorDetails).toBe('the context lacks an attribute this flag needs');
    expect(JSON.stringify(flags)).not.toContain('accountId');
  });

  it('keeps the precise message for a server key, which downloads the rules anyway', async () => {
    const server = await evaluate(LOCAL_KEYS.server, 'new-pdf-engine', { targetingKey: 'u' });
    expect(server.body.errorDetails).toContain('accountId');
  });

  it('answers a server-only flag to a client key as not found, like a missing one', async () => {
    const hidden = await evaluate(LOCAL_KEYS.client, 'bulk-invoice-api', { targetingKey: 'u' });
    const missing = await evaluate(LOCAL_KEYS.client, 'no-such-flag', { targetingKey: 'u' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.errorCode).toBe(missing.body.errorCode);
  });
});
