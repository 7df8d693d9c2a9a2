// Idempotency-Key on admin writes (item 0): a CLI or an operator retrying after a timeout cannot
// apply a change twice.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const cfg = '/api/v1/flags/new-pdf-engine/environments/staging';
const lastAuditId = async () => ((await json(await call('/api/v1/audit?limit=1', { key: A }))).entries[0]?.id ?? 0) as number;
const auditSince = async (after: number) =>
  ((await json(await call('/api/v1/audit?limit=500', { key: A }))).entries as Json[]).filter((e) => e.id > after);
const version = async () => (await json(await call(cfg, { key: A }))).version as number;
const withKey = (key: string, init: Parameters<typeof call>[1]) => ({ ...init, headers: { 'Idempotency-Key': key } });

beforeAll(seed);

describe('Idempotency-Key', () => {
  it('a retried toggle applies once: the retry replays the first answer, one audit entry, version +1', async () => {
    const v = await version();
    const mark = await lastAuditId();
    const send = () => call(`${cfg}/toggle`, withKey('toggle-1', { method: 'POST', key: A, json: { enabled: false, version: v } }));
    const first = await send();
    const retry = await send();
    expect(first.status).toBe(200);
    expect(first.headers.get('Idempotency-Replayed')).toBeNull();
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect(await json(retry)).toEqual(await json(first));
    expect(await auditSince(mark)).toHaveLength(1);
    expect(await version()).toBe(v + 1);
  });

  it('a retried rollout applies once', async () => {
    const v = await version();
    const mark = await lastAuditId();
    const send = () => call(`${cfg}/rollout`, withKey('rollout-1', { method: 'PUT', key: A, json: { percentage: 40, version: v } }));
    expect((await send()).status).toBe(200);
    const retry = await send();
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect((await auditSince(mark)).map((e) => e.action)).toEqual(['flag.rollout']);
    expect(await version()).toBe(v + 1);
  });

  it('a retried create answers the first creation again instead of 409', async () => {
    const mark = await lastAuditId();
    const send = () =>
      call('/api/v1/flags', withKey('create-1', { method: 'POST', key: A, json: { key: 'retry-me', kind: 'boolean', owner: 'qa' } }));
    const first = await send();
    const retry = await send();
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(await json(retry)).toEqual(await json(first));
    expect((await auditSince(mark)).map((e) => e.action)).toEqual(['flag.create']);
  });

  it('the same key with a different request is refused with 422 and applies nothing', async () => {
    const v = await version();
    const mark = await lastAuditId();
    const other = await call(`${cfg}/rollout`, withKey('rollout-1', { method: 'PUT', key: A, json: { percentage: 90, version: v } }));
    expect(other.status).toBe(422);
    expect((await json(other)).error.code).toBe('idempotency_key_reused');
    expect(await auditSince(mark)).toHaveLength(0);
  });

  it('a duplicate sent while the first is still running gets 409 idempotency_conflict; the change applies once', async () => {
    const v = await version();
    const mark = await lastAuditId();
    const send = () => call(`${cfg}/rollout`, withKey('rollout-2', { method: 'PUT', key: A, json: { percentage: 55, version: v } }));
    const answers = await Promise.all(Array.from({ length: 5 }, send));
    const applied = answers.filter((r) => r.status === 200 && !r.headers.get('Idempotency-Replayed'));
    const inFlight = answers.filter((r) => r.status === 409);
    expect(applied).toHaveLength(1);
    expect(inFlight.length).toBeGreaterThan(0);
    for (const r of inFlight) expect((await json(r)).error.code).toBe('idempotency_conflict');
    expect(await auditSince(mark)).toHaveLength(1);
    expect(await version()).toBe(v + 1);
  });

  it('keys belong to their caller: another token with the same key runs its own request', async () => {
    const token = await json(await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'second admin', role: 'admin' } }));
    const res = await call(
      '/api/v1/flags',
      withKey('create-1', { method: 'POST', key: token.secret, json: { key: 'retry-me', kind: 'boolean', owner: 'qa' } }),
    );
    expect(res.status).toBe(409); // it ran: the flag exists
    expect(res.headers.get('Idempotency-Replayed')).toBeNull();
  });

  it('answers are kept 24 hours: after that the same key runs the request again', async () => {
    await env.DB.prepare("UPDATE idempotency_keys SET created_at = created_at - 86400001 WHERE key = 'create-1'").run();
    const res = await call(
      '/api/v1/flags',
      withKey('create-1', { method: 'POST', key: A, json: { key: 'retry-me', kind: 'boolean', owner: 'qa' } }),
    );
    expect(res.status).toBe(409);
    expect(res.headers.get('Idempotency-Replayed')).toBeNull();
  });

  it('refusals that may change (403) are not kept, and a malformed key is a 400', async () => {
    const viewer = await json(await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'viewer', role: 'viewer' } }));
    const send = () => call(`${cfg}/toggle`, withKey('viewer-1', { method: 'POST', key: viewer.secret, json: { enabled: false } }));
    expect((await send()).status).toBe(403);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'viewer-1'").first<{ n: number }>();
    expect(stored?.n).toBe(0);
    const bad = await call(`${cfg}/toggle`, {
      method: 'POST',
      key: A,
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
      json: { enabled: false },
    });
    expect(bad.status).toBe(400);
  });
});
