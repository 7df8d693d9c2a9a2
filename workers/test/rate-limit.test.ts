import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

// Runs under vitest.ratelimit.config.ts: 5 requests a minute per key.
beforeAll(seed);

const evaluate = (key: string) => call('/sdk/v1/evaluate', { method: 'POST', key, json: { context: { targetingKey: 'u1' } } });

describe('SDK rate limit (Workers rate-limit binding, per key)', () => {
  it('answers 429 with the error envelope once a key is over its limit, and other keys are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await evaluate(LOCAL_KEYS.client)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const refused = await evaluate(LOCAL_KEYS.client);
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'too many requests for this key; retry in a minute' } });
    expect((await evaluate(LOCAL_KEYS.server)).status).toBe(200);
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
