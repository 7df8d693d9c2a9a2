import { METRICS_LIMITS, type MetricsPayload, type Snapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../client.ts';

// The client's scopes with a snapshot that tracks a flag, the Worker replaced by a stub at the
// transport (the real Worker is in test/outcomes.test.ts): memory bounds under hostile input.
const SNAPSHOT: Snapshot = {
  environment: 'test',
  version: 1,
  tracked: ['checkout'],
  flags: [
    {
      key: 'checkout',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    {
      key: 'other',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
};

function stubbedClient() {
  const bodies: MetricsPayload[] = [];
  const flags = createClient({
    url: 'http://edge.test',
    serverKey: 'efs_test',
    stream: false,
    logger: false,
    exposures: false,
    outcomes: { flushIntervalMs: 3_600_000 },
    fetch: async (url, init) => {
      if (url.endsWith('/sdk/v1/snapshot')) return new Response(JSON.stringify(SNAPSHOT), { headers: { ETag: '"1"' } });
      bodies.push(JSON.parse(String(init?.body)));
      return new Response('{"accepted":1,"dropped":0}', { status: 202 });
    },
  });
  return { flags, bodies };
}

describe('client outcomes under 1.5e6 distinct events', () => {
  it('stays bounded: 20 event names per request and per cell, the rest counted as dropped', async () => {
    const { flags, bodies } = stubbedClient();
    await flags.ready();
    const before = process.memoryUsage().heapUsed;
    // One request tracking 1e6 distinct names, then 500,000 requests each tracking a new name.
    flags.measure(() => {
      flags.isEnabled('checkout');
      for (let i = 0; i < 1_000_000; i++) flags.track(`burst-${i}`, 1);
    });
    for (let i = 0; i < 500_000; i++)
      flags.measure(() => {
        flags.isEnabled('checkout');
        flags.isEnabled('other');
        flags.track(`event-${i}`, 2);
      });
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
    expect(flags.status().outcomes).toMatchObject({ cells: 1 });
    await flags.close();
    const [summary] = bodies.flatMap((b) => b.summaries);
    expect(bodies.flatMap((b) => b.summaries)).toHaveLength(1);
    expect(summary).toMatchObject({ flag: 'checkout', variant: 'on', count: 500_001, errors: 0 });
    expect(Object.keys(summary!.events!)).toHaveLength(METRICS_LIMITS.eventNames);
    // Everything past the 20 names was refused and counted, never held.
    expect(flags.status().outcomes!.dropped).toBe(1_000_000 - 20 + 500_000);
  });
});
