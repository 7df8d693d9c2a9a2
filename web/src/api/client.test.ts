import { describe, expect, it } from 'vitest';
import { createApi } from './client.ts';

/** A fetch that answers from a list of outcomes ('network' throws) and records the headers sent. */
function scripted(outcomes: (number | 'network')[]) {
  const sent: Record<string, string>[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ ...(init?.headers as Record<string, string>) });
    const next = outcomes.shift() ?? 200;
    if (next === 'network') throw new TypeError('fetch failed');
    return new Response(JSON.stringify(next < 300 ? { ok: true } : { error: { code: 'x', message: 'no' } }), { status: next });
  };
  return { api: createApi({ token: 'efa_t', fetch: fetch as typeof globalThis.fetch }), sent };
}

const body = { percentage: 25, variant: 'on', version: 7 };

describe('admin API client writes', () => {
  it('retries a save that failed in transit with the same Idempotency-Key, so it is applied once', async () => {
    const { api, sent } = scripted(['network', 502, 200]);
    await expect(api.rollout('checkout', 'production', body)).rejects.toThrow(/cannot reach/);
    await expect(api.rollout('checkout', 'production', body)).rejects.toThrow('no');
    await api.rollout('checkout', 'production', body);
    const keys = sent.map((h) => h['Idempotency-Key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('gives every other write its own key, and none to reads', async () => {
    const { api, sent } = scripted([200, 200, 409, 200]);
    await api.rollout('checkout', 'production', body);
    // The same change again after it succeeded is a new action.
    await api.rollout('checkout', 'production', body);
    // A refusal is a final answer: the next attempt is a new action too.
    await expect(api.toggle('checkout', 'production', { enabled: true }, 3)).rejects.toThrow('no');
    await api.toggle('checkout', 'production', { enabled: true }, 3);
    const keys = sent.map((h) => h['Idempotency-Key']);
    expect(new Set(keys).size).toBe(4);
    await api.impact('checkout', 'production', { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } });
    await api.getFlag('checkout');
    expect(sent.slice(4).map((h) => h['Idempotency-Key'])).toEqual([undefined, undefined]);
  });

  it('guards writes with the version they were made against', async () => {
    const { api, sent } = scripted([]);
    await api.toggle('checkout', 'production', { enabled: true }, 3);
    await api.toggle('checkout', 'production', { enabled: false });
    await api.archiveFlag('checkout', 6, 'done');
    await api.putSegment('production', 'beta', { included: ['a'] });
    await api.putSegment('production', 'beta', { included: ['a', 'b'], version: 2 });
    await api.deleteSegment('production', 'beta', 3);
    expect(sent.map((h) => [h['If-Match'], h['If-None-Match']])).toEqual([
      ['"3"', undefined],
      // The kill switch goes without: it must win against a stale editor.
      [undefined, undefined],
      ['"6"', undefined],
      // Creating a segment is explicit: refused if the key exists.
      [undefined, '*'],
      ['"2"', undefined],
      ['"3"', undefined],
    ]);
  });
});
