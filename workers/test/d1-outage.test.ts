// A kill switch while D1 is unavailable (issue 8, item 1, last point; docs/delivery.md): D1 is
// the source of truth, so the write answers 503 `unavailable` and acknowledges nothing, while
// SDKs keep being served the last snapshot from the hub and isolate copies. The outage is
// injected by making every D1 call fail the way D1 reports one; the rest is real.
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetSnapshots } from '../src/snapshot/edge-cache.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

beforeAll(seed);
afterEach(() => vi.restoreAllMocks());

/** Every D1 query, from the Worker and from the hub, fails until the mocks are restored. */
function takeD1Down(): void {
  const outage = () => new Error('D1_ERROR: Network connection lost.');
  const proto = Object.getPrototypeOf(env.DB) as D1Database;
  vi.spyOn(proto, 'prepare').mockImplementation(() => {
    throw outage();
  });
  vi.spyOn(proto, 'batch').mockImplementation(() => Promise.reject(outage()));
  vi.spyOn(proto, 'exec').mockImplementation(() => Promise.reject(outage()));
}

async function served(): Promise<unknown> {
  const res = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: { targetingKey: 'ops' } } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { flags: Record<string, { value: unknown }> }).flags['new-pdf-engine']?.value;
}

async function stored() {
  return env.DB.prepare(
    `SELECT (SELECT enabled FROM flag_configs WHERE flag_key = 'new-pdf-engine' AND environment = 'development') AS enabled,
            (SELECT snapshot_version FROM environments WHERE key = 'development') AS version,
            (SELECT count(*) FROM audit_log) AS audits`,
  ).first();
}

describe('a kill switch while D1 is unavailable', () => {
  it('answers 503 unavailable, stores and acknowledges nothing, and SDKs keep the last snapshot', async () => {
    // An SDK key seen once is cached by the isolate, and the hub holds the snapshot.
    const before = await served();
    expect(before).not.toBeUndefined();
    const was = await stored();

    takeD1Down();
    const res = await call('/api/v1/flags/new-pdf-engine/environments/development/toggle', {
      method: 'POST',
      key: LOCAL_KEYS.admin,
      json: { enabled: false, reason: 'outage drill' },
    });
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/nothing was acknowledged/);

    expect(await served()).toEqual(before); // this isolate's copy
    forgetSnapshots();
    expect(await served()).toEqual(before); // another isolate: from the hub, no D1 needed

    vi.restoreAllMocks();
    expect(await stored()).toEqual(was);
  });
});
