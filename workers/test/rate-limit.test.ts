import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { createKey } from './stream-helpers.ts';

// Runs under vitest.ratelimit.config.ts: 5 requests a minute per key.
beforeAll(seed);

const evaluate = (key: string, targetingKey = 'u1') =>
  call('/sdk/v1/evaluate', { method: 'POST', key, json: { context: { targetingKey } } });

const sampled = async (prefix: string) =>
  (
    await env.DB.prepare(`SELECT context_key FROM recent_contexts WHERE context_key LIKE ?`)
      .bind(`${prefix}%`)
      .all<{ context_key: string }>()
  ).results
    .map((r) => r.context_key)
    .sort();

describe('SDK rate limit (Workers rate-limit binding, per key)', () => {
  it('answers 429 with the error envelope once a key is over its limit, and other keys are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await evaluate(LOCAL_KEYS.client, `ctx-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const refused = await evaluate(LOCAL_KEYS.client, 'ctx-7');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'too many requests for this key; retry in a minute' } });
    expect((await evaluate(LOCAL_KEYS.server, 'last')).status).toBe(200);

    // Every evaluation here is sampled (CONTEXT_SAMPLE_RATE=1), but only those within the limit
    // reach the context set: once the last one sent has arrived, the refused ones are absent.
    const deadline = Date.now() + 15_000;
    while ((await sampled('last')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await sampled('ctx-')).toEqual(['ctx-0', 'ctx-1', 'ctx-2', 'ctx-3', 'ctx-4']);
  });

  it("limits a public client key per caller: one caller over its limit leaves the key's other browsers served", async () => {
    // Every browser of an app shares its client key; one caller spending the key's limit refused them all.
    const key = await createKey('client');
    const from = (ip: string) =>
      call('/sdk/v1/evaluate', {
        method: 'POST',
        key: key.secret,
        headers: { 'CF-Connecting-IP': ip },
        json: { context: { targetingKey: ip } },
      });
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.50')).status).toBe(200);
    expect((await from('203.0.113.50')).status).toBe(429);
    expect((await from('203.0.113.51')).status).toBe(200);
    expect((await from('2001:db8:9:9::1')).status).toBe(200);
  });

  it('limits streams and events before doing anything', async () => {
    for (let i = 0; i < 5; i++) await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
    const events = await call('/sdk/v1/events', {
      method: 'POST',
      key: LOCAL_KEYS.server,
      json: { events: [{ flag: 'ai-chatbot', variant: 'on', contextKey: 'u1', at: Date.now() }] },
    });
    expect(events.status).toBe(429);
    const stream = await call('/sdk/v1/stream', { key: LOCAL_KEYS.server, headers: { Accept: 'text/event-stream' } });
    expect(stream.status).toBe(429);
  });
});
