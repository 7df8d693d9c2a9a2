import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type EdgeflagsClient } from '../src/index.ts';
import { type LocalWorker, startWorker, toggle, waitFor } from './worker.ts';

let worker: LocalWorker;
const clients: EdgeflagsClient[] = [];
// Exposures are off unless a test is about them, so the Worker's counts hold only that test's events.
const open = (options: Parameters<typeof createClient>[0]): EdgeflagsClient => {
  const c = createClient({ logger: false, exposures: false, ...options });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await worker?.dispose();
});

async function edgeEvaluate(key: string, context: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${worker.url}/sdk/v1/evaluate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ context }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('@edgeflags/node against the real Worker', () => {
  it('loads the seeded snapshot and evaluates the invoicing flags locally', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    expect(await flags.ready()).toBe(true);
    const free = { userId: 'u-1', accountId: 'acct-1', plan: 'free', country: 'US' };
    expect(flags.isEnabled('ai-chatbot', free)).toBe(true);
    expect(flags.isEnabled('ai-chatbot', { ...free, country: 'DE' })).toBe(false);
    expect(flags.isEnabled('bulk-invoice-api', { accountId: 'acct-ent-002' })).toBe(true);
    expect(flags.isEnabled('maintenance-mode', free)).toBe(false);
    expect(flags.evaluate('maintenance-mode', free).reason).toBe('DISABLED');
    expect(flags.evaluate('ai-chatbot', free)).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      ruleId: 'free-us-gb',
    });
    expect(['control', 'treatment']).toContain(flags.variant('redesigned-dashboard', { userId: 'u-1' }));
    expect(flags.value('redesigned-dashboard', { userId: 'u-1' }, 'control')).toBe(
      flags.variant('redesigned-dashboard', { userId: 'u-1' }),
    );
  });

  it('buckets new-pdf-engine by account: every user of an account agrees, about 5% of accounts are in', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    await flags.ready();
    let on = 0;
    for (let i = 0; i < 2000; i++) {
      const accountId = `acct-${i}`;
      const a = flags.isEnabled('new-pdf-engine', { userId: 'alice', accountId });
      expect(flags.isEnabled('new-pdf-engine', { userId: 'bob', accountId })).toBe(a);
      if (a) on++;
    }
    expect(on / 2000).toBeGreaterThan(0.03);
    expect(on / 2000).toBeLessThan(0.07);
  });

  it('returns fallbacks, never throws, on unknown keys, wrong kinds and bad contexts', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    await flags.ready();
    expect(flags.isEnabled('no-such-flag', { userId: 'u' })).toBe(false);
    expect(flags.variant('no-such-flag')).toBeUndefined();
    expect(flags.value('ai-chatbot', { plan: 'free', country: 'US' }, 'a string')).toBe('a string');
    expect(flags.value('no-such-flag', {}, 42)).toBe(42);
    expect(flags.evaluate('no-such-flag', {}, 7)).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    const bad = 'user-1' as unknown as Record<string, string>;
    expect(flags.isEnabled('ai-chatbot', bad)).toBe(false);
    expect(flags.isEnabled('ai-chatbot', null as unknown as undefined)).toBe(false);
    expect(flags.value('ai-chatbot', bad, true)).toBe(true);
    expect(flags.evaluate('ai-chatbot', bad, false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
    // A split without a bucketing value is an error, answered with the fallback.
    expect(flags.value('redesigned-dashboard', {}, 'control')).toBe('control');
  });

  it('treats userId as targetingKey', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    await flags.ready();
    for (let i = 0; i < 50; i++) {
      expect(flags.variant('redesigned-dashboard', { userId: `u-${i}` })).toBe(
        flags.variant('redesigned-dashboard', { targetingKey: `u-${i}` }),
      );
    }
  });

  it('allFlags() matches the Worker’s POST /sdk/v1/evaluate for client and server keys', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    await flags.ready();
    for (const context of [{ targetingKey: 'u-7', accountId: 'acct-3', plan: 'free', country: 'GB' }, { accountId: 'acct-ent-001' }, {}]) {
      expect(flags.allFlags(context)).toEqual(await edgeEvaluate(worker.keys.client, context));
      expect(flags.allFlags(context, { clientVisibleOnly: false })).toEqual(await edgeEvaluate(worker.keys.server, context));
    }
    expect(Object.keys(flags.allFlags({}).flags)).not.toContain('bulk-invoice-api');
  });

  it('evaluates exactly like the edge for arbitrary contexts (property, 100 contexts)', async () => {
    const flags = open({ url: worker.url, serverKey: worker.keys.server, stream: false });
    await flags.ready();
    const context = fc.record(
      {
        targetingKey: fc.string({ maxLength: 12 }),
        userId: fc.string({ minLength: 1, maxLength: 12 }),
        accountId: fc.oneof(fc.constantFrom('acct-ent-001', 'acct-ent-003', 'acct-1'), fc.string({ maxLength: 12 })),
        plan: fc.constantFrom('free', 'pro', 'enterprise', 'FREE'),
        country: fc.constantFrom('US', 'GB', 'DE', 'us', 'UK'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(context, async (ctx) => {
        expect(flags.allFlags(ctx, { clientVisibleOnly: false })).toEqual(await edgeEvaluate(worker.keys.server, ctx));
      }),
      { numRuns: 100 },
    );
  });

  for (const stream of ['websocket', 'sse'] as const) {
    it(`applies a kill switch pushed over ${stream} and acks it`, async () => {
      const flags = open({ url: worker.url, serverKey: worker.keys.server, stream, pollIntervalMs: 600_000 });
      await flags.ready();
      await waitFor(() => flags.status().streaming, 'the stream to be live');
      const changes: number[] = [];
      flags.onChange((e) => changes.push(e.version));
      const before = flags.status().version;
      const on = !flags.isEnabled('maintenance-mode');
      await toggle(worker, 'maintenance-mode', on);
      // Polling is 10 minutes away: only the stream can bring this change in time.
      await waitFor(() => flags.isEnabled('maintenance-mode') === on, 'the pushed kill switch');
      expect(flags.status()).toMatchObject({ source: 'stream', streaming: true });
      expect(changes.at(-1)).toBeGreaterThan(before);
      if (stream === 'websocket') {
        const version = flags.status().version;
        await waitFor(async () => {
          const res = await fetch(`${worker.url}/api/v1/environments/development/hub`, {
            headers: { Authorization: `Bearer ${worker.keys.admin}` },
          });
          const stats = (await res.json()) as { recent: { version: number; acked: number }[] };
          return (stats.recent.find((r) => r.version === version)?.acked ?? 0) >= 1;
        }, 'the hub to count our ack');
      }
    });
  }

  it('revalidates with If-None-Match: an unchanged snapshot is a 304', async () => {
    const statuses: number[] = [];
    const flags = open({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    });
    await flags.ready();
    expect(await flags.refresh()).toBe(true);
    expect(statuses).toEqual([200, 304]);
  });

  it('exposures never block or throw when the events endpoint is missing or failing', async () => {
    let posted = 0;
    const flags = open({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      exposures: true,
      // The snapshot comes from the Worker; the events endpoint is down.
      fetch: async (input, init) => {
        if (!input.endsWith('/sdk/v1/events')) return fetch(input, init);
        posted++;
        return new Response('{"error":{"code":"unavailable"}}', { status: 503 });
      },
    });
    await flags.ready();
    for (let i = 0; i < 50; i++) flags.isEnabled('new-pdf-engine', { accountId: `acct-${i}` });
    await flags.close();
    expect(posted).toBe(1);
    expect(flags.status().exposures).toEqual({ sent: 0, dropped: 50, queued: 0 });
    expect(flags.isEnabled('ai-chatbot', { plan: 'free', country: 'US' })).toBe(true);
  });

  // No probe-and-skip: a missing or broken events route must fail this test, not skip it.
  it('delivers deduplicated exposures to POST /sdk/v1/events (202)', async () => {
    const bodies: string[] = [];
    const statuses: number[] = [];
    const flags = open({
      url: worker.url,
      serverKey: worker.keys.server,
      stream: false,
      exposures: { sendContext: true },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (input.endsWith('/sdk/v1/events')) {
          bodies.push(String(init?.body));
          statuses.push(res.status);
        }
        return res;
      },
    });
    await flags.ready();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) flags.isEnabled('new-pdf-engine', { userId: `u-${round}`, accountId: `acct-${i}` });
    }
    await flags.close();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 202)).toBe(true);
    expect(flags.status().exposures).toEqual({ sent: 30, dropped: 0, queued: 0 });
    const events = bodies.flatMap((b) => (JSON.parse(b) as { events: { contextKey: string; context?: object }[] }).events);
    expect(new Set(events.map((e) => e.contextKey)).size).toBe(30);
    expect(events[0]?.context).toMatchObject({ accountId: 'acct-0' });
    // Through the Worker's queue into its counts: 30 accounts, each counted once under its variant.
    const counted = async (): Promise<number> => {
      const res = await fetch(`${worker.url}/api/v1/environments/development/exposures?flag=new-pdf-engine`, {
        headers: { Authorization: `Bearer ${worker.keys.admin}` },
      });
      const body = (await res.json()) as { flags: Record<string, Record<string, number>> };
      return Object.values(body.flags['new-pdf-engine'] ?? {}).reduce((a, b) => a + b, 0);
    };
    await waitFor(async () => (await counted()) >= 30, 'the exposures to be counted');
    expect(await counted()).toBe(30);
  });
});
