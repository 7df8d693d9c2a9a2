// Issue 8 item 14: a flood of bad SDK keys costs no D1 read when malformed, and can never
// evict a valid key from the isolate cache when well formed but unknown.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetSdkKeys, lookupSdkKey, sdkKeyCache } from '../src/auth/sdk-auth.ts';
import { SdkKeyCache } from '../src/auth/sdk-key-cache.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

/** The Worker's env with a D1 that counts the statements prepared on it. */
function countingEnv() {
  const counter = { queries: 0 };
  const DB = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          counter.queries++;
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { env: { DB }, counter };
}

const unknownKey = (i: number) => `efc_${String(i).padStart(32, 'Z')}`;
const ignore = () => {};

beforeAll(seed);
beforeEach(forgetSdkKeys);

describe('malformed SDK keys', () => {
  it.each([
    ['too short', 'efc_abc'],
    ['one character short', `efc_${'a'.repeat(31)}`],
    ['too long', `efc_${'a'.repeat(49)}`],
    ['not base62', `efc_${'a'.repeat(31)}-`],
    ['unknown prefix', `efx_${'a'.repeat(32)}`],
    ['no prefix', 'a'.repeat(36)],
  ])('refuses a key %s with 401 before any lookup', async (_why, key) => {
    const before = sdkKeyCache.loads;
    const res = await call('/sdk/v1/evaluate', { method: 'POST', key, json: { context: { targetingKey: 'u' } } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(sdkKeyCache.loads).toBe(before);
    expect(sdkKeyCache.size).toEqual({ keys: 0, unknown: 0 });
  });

  it('never reaches D1 for a malformed key on any SDK route, the URL key included', async () => {
    const before = sdkKeyCache.loads;
    for (const path of ['/sdk/v1/snapshot', '/ofrep/v1/configuration', '/sdk/v1/stream?key=efc_short']) {
      const res = await call(path, { key: path.includes('?') ? undefined : 'efs_short', headers: { Accept: 'text/event-stream' } });
      expect(res.status).toBe(401);
    }
    expect(sdkKeyCache.loads).toBe(before);
  });
});

describe('unknown SDK keys', () => {
  it('11,000 distinct unknown well-formed keys do not evict a valid key: its lookup never reads D1 again', async () => {
    const { env: counted, counter } = countingEnv();
    // One instant in time, so the entry's age cannot be what decides (the TTL has its own test).
    const now = Date.now();
    expect(await lookupSdkKey(counted, LOCAL_KEYS.client, ignore, now)).toMatchObject({ kind: 'client', environment: 'development' });
    expect(counter.queries).toBe(1);

    // The flood goes through the Worker's own cache instance; its misses are counted, not sent to
    // D1, so the test takes milliseconds rather than 11,000 database round trips.
    let misses = 0;
    const miss = () => {
      misses++;
      return Promise.resolve(null);
    };
    for (let i = 0; i < 11_000; i++) expect(await sdkKeyCache.get(`unknown-${i}`, ignore, now, miss)).toBeNull();
    expect(misses).toBe(11_000);
    expect(sdkKeyCache.size).toEqual({ keys: 1, unknown: 2_000 });

    expect(await lookupSdkKey(counted, LOCAL_KEYS.client, ignore, now)).toMatchObject({ kind: 'client' });
    expect(counter.queries).toBe(1);
  });

  it('serves a valid key through the Worker from memory after a flood of unknown keys', async () => {
    const good = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: { targetingKey: 'u' } } });
    expect(good.status).toBe(200);
    const loads = sdkKeyCache.loads;
    for (let i = 0; i < 300; i += 50) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, async (_, j) => (await call('/ofrep/v1/configuration', { key: unknownKey(20_000 + i + j) })).status),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
    }
    expect(sdkKeyCache.loads).toBe(loads + 300);
    const again = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: { targetingKey: 'u' } } });
    expect(again.status).toBe(200);
    expect(sdkKeyCache.loads).toBe(loads + 300);
  });

  it('asks D1 once for an unknown key repeated, and once for concurrent lookups of one key', async () => {
    const { env: counted, counter } = countingEnv();
    await Promise.all(Array.from({ length: 20 }, () => lookupSdkKey(counted, unknownKey(1), ignore)));
    await lookupSdkKey(counted, unknownKey(1), ignore);
    expect(counter.queries).toBe(1);
  });
});

describe('SdkKeyCache', () => {
  const limits = { maxKeys: 2, maxUnknown: 3, keyTtlMs: 1000, revalidateAfterMs: 500, unknownTtlMs: 1000 };

  it('evicts the least recently used valid key, and unknown keys only among themselves', async () => {
    const cache = new SdkKeyCache<string>(limits);
    const load = (value: string | null) => () => Promise.resolve(value);
    await cache.get('a', ignore, 0, load('A'));
    await cache.get('b', ignore, 0, load('B'));
    await cache.get('a', ignore, 1, load('A')); // a is now the most recently used
    for (const miss of ['x', 'y', 'z', 'w']) await cache.get(miss, ignore, 2, load(null));
    await cache.get('c', ignore, 3, load('C'));
    expect(cache.size).toEqual({ keys: 2, unknown: 3 });
    expect(cache.peek('a')?.key).toBe('A');
    expect(cache.peek('b')).toBeUndefined();
  });

  it('re-reads a valid key in the background past revalidateAfterMs and in the foreground past its TTL', async () => {
    const cache = new SdkKeyCache<string>(limits);
    const deferred: Promise<unknown>[] = [];
    let value: string | null = 'v1';
    const load = () => Promise.resolve(value);
    expect(await cache.get('k', (w) => deferred.push(w), 0, load)).toBe('v1');
    value = null; // revoked elsewhere
    expect(await cache.get('k', (w) => deferred.push(w), 499, load)).toBe('v1');
    expect(deferred).toHaveLength(0);
    // Old enough: still answered from memory, and refreshed off the request path.
    expect(await cache.get('k', (w) => deferred.push(w), 600, load)).toBe('v1');
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(await cache.get('k', ignore, 601, load)).toBeNull();
    expect(cache.loads).toBe(2);
  });
});
