// Review of issue 8 (items 0–6): attacks a hostile caller, a racing operator and an SRE would
// try against the write path. D1, KV, the hub and the Worker are real; mocks only inject D1
// failures at a chosen point (after a commit, or while an answer is being stored).
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '../src/db.ts';
import { buildSnapshot } from '../src/snapshot/build-snapshot.ts';
import { MAX_SNAPSHOT_BYTES, snapshotBytes } from '../src/snapshot/snapshot-limits.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const cfg = (flag: string, environment = 'staging') => `/api/v1/flags/${flag}/environments/${environment}`;
const enabled = async (flag: string, environment = 'staging') =>
  (
    await env.DB.prepare('SELECT enabled FROM flag_configs WHERE flag_key = ? AND environment = ?').bind(flag, environment).first<{
      enabled: number;
    }>()
  )?.enabled;
const audits = async (action: string, key: string) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ? AND resource_key = ?')
      .bind(action, key)
      .first<{ n: number }>()
  )?.n ?? 0;

const outage = () => new Error('D1_ERROR: Network connection lost.');
const D1 = Object.getPrototypeOf(env.DB) as D1Database;

/**
 * D1 goes down right after the first batch that follows the preparation of a statement matching
 * `sql`: that batch commits, and every D1 call after it (read-backs, bookkeeping) fails as in an
 * outage.
 */
function downAfterBatchWith(sql: RegExp): void {
  const prepare = D1.prepare;
  const batch = D1.batch;
  let armed = false;
  let down = false;
  vi.spyOn(D1, 'prepare').mockImplementation(function (this: D1Database, query: string) {
    if (down) throw outage();
    if (sql.test(query)) armed = true;
    return prepare.call(this, query);
  });
  vi.spyOn(D1, 'batch').mockImplementation(async function (this: D1Database, statements: D1PreparedStatement[]) {
    if (down) throw outage();
    const results = await batch.call(this, statements);
    if (armed) down = true;
    return results as never;
  });
}

/** Only statements matching `sql` fail: the rest of D1 is up. */
function failStatements(sql: RegExp, error = outage): void {
  const prepare = D1.prepare;
  vi.spyOn(D1, 'prepare').mockImplementation(function (this: D1Database, query: string) {
    if (sql.test(query)) throw error();
    return prepare.call(this, query);
  });
}

beforeAll(seed);
afterEach(() => vi.restoreAllMocks());

describe('a committed write never answers an error', () => {
  it('a flag create committed just before D1 fails answers 200 (delivery pending), not 503 "nothing was acknowledged"', async () => {
    downAfterBatchWith(/^insert into "flags"/i);
    const res = await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'made-in-a-blip', kind: 'boolean', owner: 'qa' } });
    vi.restoreAllMocks();
    const body = await json(res);
    expect(await audits('flag.create', 'made-in-a-blip')).toBe(1); // it was committed
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ key: 'made-in-a-blip', version: 1, delivery: 'pending' });
  });

  it('a kill switch whose Idempotency-Key answer cannot be stored still answers 200 with what happened', async () => {
    await call(`${cfg('ai-chatbot')}/toggle`, {
      method: 'POST',
      key: A,
      json: { enabled: true, version: (await json(await call(cfg('ai-chatbot'), { key: A }))).version },
    });
    failStatements(/^UPDATE idempotency_keys SET status/);
    const res = await call(`${cfg('ai-chatbot')}/toggle`, {
      method: 'POST',
      key: A,
      headers: { 'Idempotency-Key': 'store-fails-1' },
      json: { enabled: false, reason: 'incident' },
    });
    vi.restoreAllMocks();
    expect(await enabled('ai-chatbot')).toBe(0);
    expect(res.status).toBe(200);
    expect((await json(res)).config.enabled).toBe(false);
  });
});

describe('nothing stands between an operator and the protective move', () => {
  it('a kill switch with If-Match: * (or an ETag that is no config version) is applied, not refused 400', async () => {
    for (const ifMatch of ['*', '"staging.12"']) {
      await call(`${cfg('new-pdf-engine')}/toggle`, {
        method: 'POST',
        key: A,
        json: { enabled: true, version: (await json(await call(cfg('new-pdf-engine'), { key: A }))).version },
      });
      expect(await enabled('new-pdf-engine')).toBe(1);
      const res = await call(`${cfg('new-pdf-engine')}/toggle`, {
        method: 'POST',
        key: A,
        headers: { 'If-Match': ifMatch },
        json: { enabled: false, reason: 'incident' },
      });
      expect(res.status, `If-Match: ${ifMatch}`).toBe(200);
      expect(await enabled('new-pdf-engine')).toBe(0);
    }
  });

  it('a kill switch retried with the same Idempotency-Key after a D1 blip is applied, not 409 "still running" for a minute', async () => {
    const flag = 'bulk-invoice-api';
    const { version } = await json(await call(cfg(flag), { key: A }));
    if ((await enabled(flag)) === 0) await call(`${cfg(flag)}/toggle`, { method: 'POST', key: A, json: { enabled: true, version } });
    expect(await enabled(flag)).toBe(1);
    const send = () =>
      call(`${cfg(flag)}/toggle`, {
        method: 'POST',
        key: A,
        headers: { 'Idempotency-Key': 'incident-42' },
        json: { enabled: false, reason: 'incident 42' },
      });
    // D1 drops right after the key is claimed: the switch answers 503 and the claim cannot be released.
    downAfterBatchWith(/INSERT INTO idempotency_keys/);
    expect((await send()).status).toBe(503);
    vi.restoreAllMocks();
    expect(await enabled(flag)).toBe(1);
    // The 503 says to retry with the same key; the retry must move the flag.
    const retry = await send();
    expect(retry.status, JSON.stringify(await retry.clone().json())).toBe(200);
    expect(await enabled(flag)).toBe(0);
  });

  it('a write that is not the protective move, retried while its key is in flight, is still refused 409', async () => {
    const flag = 'bulk-invoice-api';
    expect(await enabled(flag)).toBe(0);
    const { version } = await json(await call(cfg(flag), { key: A }));
    const send = () =>
      call(`${cfg(flag)}/toggle`, {
        method: 'POST',
        key: A,
        headers: { 'Idempotency-Key': 'back-on-1' },
        json: { enabled: true, version, reason: 'back on' },
      });
    downAfterBatchWith(/INSERT INTO idempotency_keys/);
    expect((await send()).status).toBe(503);
    vi.restoreAllMocks();
    const retry = await send();
    expect(retry.status).toBe(409);
    expect((await json(retry)).error.code).toBe('idempotency_conflict');
    expect(await enabled(flag)).toBe(0);
  });
});

describe('Idempotency-Key: the same request is recognised however it is serialised', () => {
  it('a retry whose JSON has its keys in another order (and other spacing) replays the first answer', async () => {
    const flag = 'redesigned-dashboard';
    const { version } = await json(await call(cfg(flag), { key: A }));
    const send = (body: string) =>
      call(`${cfg(flag)}/rollout`, {
        method: 'PUT',
        key: A,
        headers: { 'Idempotency-Key': 'reordered-1', 'Content-Type': 'application/json' },
        body,
      });
    const first = await send(JSON.stringify({ percentage: 30, version, reason: 'ramp' }));
    expect(first.status).toBe(200);
    const retry = await send(`{ "reason": "ramp", "version": ${version},\n  "percentage": 30 }`);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
  });
});

describe('a flag and an environment created at the same time', () => {
  it('every flag created while an environment is created has a configuration in it (and in every other)', async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        call('/api/v1/flags', { method: 'POST', key: A, json: { key: `race-${i}`, kind: 'boolean', owner: 'qa' } }),
      ),
      call('/api/v1/environments', { method: 'POST', key: A, json: { key: 'preview', name: 'Preview' } }),
    ]);
    expect(answers.map((r) => r.status)).toEqual(Array(11).fill(200));
    const { results } = await env.DB.prepare(
      `SELECT f.key AS flag, e.key AS environment FROM flags f, environments e
       WHERE NOT EXISTS (SELECT 1 FROM flag_configs c WHERE c.flag_key = f.key AND c.environment = e.key)`,
    ).all();
    expect(results).toEqual([]);
    // Each can be switched there, and the environment's snapshot serves it.
    const res = await call(`${cfg('race-9', 'preview')}/toggle`, { method: 'POST', key: A, json: { enabled: false, reason: 'check' } });
    expect(res.status).toBe(200);
    const snapshot = await buildSnapshot(db(env), 'preview');
    expect(snapshot.flags.map((f) => f.key)).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, i) => `race-${i}`)));
  });
});

// Last in the file: it leaves the environments' snapshots at the size limit.
describe('the snapshot limit holds for every path that grows a snapshot', () => {
  const largest = async () => {
    const { results } = await env.DB.prepare('SELECT key FROM environments').all<{ key: string }>();
    const sizes = await Promise.all(results.map(async (e) => snapshotBytes(await buildSnapshot(db(env), e.key))));
    return Math.max(...sizes);
  };

  it('an environment create whose snapshot would pass the limit is refused 413 and creates nothing', async () => {
    // A new environment serves each flag's first variant as its off variant; here that name is
    // long, while the existing environments serve the short "b": the new snapshot is the larger.
    const long = 'v'.repeat(64);
    for (let i = 0; i < 40; i++) {
      const res = await call('/api/v1/flags', {
        method: 'POST',
        key: A,
        json: { key: `long-off-${i}`, kind: 'string', owner: 'qa', variants: { [long]: 'x', b: '' }, offVariant: 'b' },
      });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
    }
    // One filler flag brings the largest existing snapshot to just under the limit.
    const filler = await json(
      await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'filler', kind: 'string', owner: 'qa', variants: { off: 'y' } } }),
    );
    const room = MAX_SNAPSHOT_BYTES - 10 - (await largest());
    const grown = await call('/api/v1/flags/filler', {
      method: 'PATCH',
      key: A,
      json: { variants: { off: 'y'.repeat(1 + room) }, version: filler.version },
    });
    expect(grown.status, JSON.stringify(await grown.clone().json())).toBe(200);
    expect(await largest()).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);

    const res = await call('/api/v1/environments', { method: 'POST', key: A, json: { key: 'qa', name: 'QA' } });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(413);
    expect(body.error).toMatchObject({ code: 'snapshot_too_large', details: { limitBytes: MAX_SNAPSHOT_BYTES } });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM environments WHERE key = 'qa'").first<{ n: number }>()).toEqual({ n: 0 });
  });
});
