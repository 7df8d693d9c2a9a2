// Item 4 and its class: every write is guarded by the version it was made against (428 without,
// 409 stale, and a lost race writes nothing), and nothing is created by overwriting.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const seg = (key: string) => `/api/v1/environments/staging/segments/${key}`;
const CREATE = { 'If-None-Match': '*' };
const lastAuditId = async () => ((await json(await call('/api/v1/audit?limit=1', { key: A }))).entries[0]?.id ?? 0) as number;
const auditSince = async (after: number) =>
  ((await json(await call('/api/v1/audit?limit=500', { key: A }))).entries as Json[]).filter((e) => e.id > after);
const segment = async (key: string) =>
  ((await json(await call('/api/v1/environments/staging/segments', { key: A }))).segments as Json[]).find((s) => s.key === key);

beforeAll(seed);

describe('segment writes (item 4)', () => {
  it('20 concurrent PUTs of the same version: exactly one 200, the rest 409, version +1, one audit entry', async () => {
    expect((await call(seg('pilots'), { method: 'PUT', key: A, headers: CREATE, json: { included: ['u0'] } })).status).toBe(200);
    const { version } = (await segment('pilots'))!;
    const mark = await lastAuditId();
    const puts = Array.from({ length: 20 }, (_, i) =>
      call(seg('pilots'), { method: 'PUT', key: A, json: { included: [`u${i + 1}`], version } }),
    );
    const statuses = (await Promise.all(puts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const after = (await segment('pilots'))!;
    expect(after.version).toBe(version + 1);
    const entries = await auditSince(mark);
    expect(entries.map((e) => e.action)).toEqual(['segment.update']);
    expect(after.definition.included).toEqual(entries[0]!.after.definition.included);
  });

  it('creating never replaces: If-None-Match: * on an existing key is 409 and its members stay', async () => {
    const before = (await segment('pilots'))!;
    const again = await call(seg('pilots'), { method: 'PUT', key: A, headers: CREATE, json: { included: ['intruder'] } });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe('already_exists');
    expect(await segment('pilots')).toEqual(before);
  });

  it('an update needs the version (428), a missing segment is not created by an update (404), and both preconditions are refused', async () => {
    const blind = await call(seg('pilots'), { method: 'PUT', key: A, json: { included: ['u1'] } });
    expect(blind.status).toBe(428);
    expect((await json(blind)).error.code).toBe('version_required');
    expect((await call(seg('nobody'), { method: 'PUT', key: A, json: { included: ['u1'], version: 1 } })).status).toBe(404);
    expect(await segment('nobody')).toBeUndefined();
    const both = await call(seg('pilots'), { method: 'PUT', key: A, headers: CREATE, json: { included: ['u1'], version: 1 } });
    expect(both.status).toBe(400);
  });

  it('20 concurrent creates of one key: one 200, the rest 409', async () => {
    const creates = Array.from({ length: 20 }, (_, i) =>
      call(seg('fresh'), { method: 'PUT', key: A, headers: CREATE, json: { included: [`u${i}`] } }),
    );
    const statuses = (await Promise.all(creates)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect((await segment('fresh'))!.version).toBe(1);
  });

  it('deleting needs the version, and a stale one deletes nothing', async () => {
    const { version } = (await segment('fresh'))!;
    expect((await call(seg('fresh'), { method: 'DELETE', key: A })).status).toBe(428);
    expect((await call(`${seg('fresh')}?version=${version + 1}`, { method: 'DELETE', key: A })).status).toBe(409);
    expect(await segment('fresh')).toBeDefined();
    expect((await call(seg('fresh'), { method: 'DELETE', key: A, headers: { 'If-Match': `"${version}"` } })).status).toBe(200);
    expect(await segment('fresh')).toBeUndefined();
  });
});

describe('every other write route is version-guarded', () => {
  const flag = '/api/v1/flags/bulk-invoice-api';
  const cfg = `${flag}/environments/staging`;
  const config = async () => json(await call(cfg, { key: A }));
  const flagVersion = async () => (await json(await call(flag, { key: A }))).version as number;

  // Each write as the admin app sends it, given the current versions; `version` omitted → 428.
  const writes: { name: string; send: (v: { flag: number; config: number } | undefined) => Promise<Response> }[] = [
    {
      name: 'PUT config',
      send: async (v) => {
        const { flagKey: _f, environment: _e, salt: _s, updatedAt: _u, version: _v, ...body } = await config();
        return call(cfg, { method: 'PUT', key: A, json: { ...body, ...(v && { version: v.config }) } });
      },
    },
    {
      name: 'toggle out of the protective state',
      send: (v) => call(`${cfg}/toggle`, { method: 'POST', key: A, json: { enabled: true, ...(v && { version: v.config }) } }),
    },
    {
      name: 'rollout',
      send: (v) => call(`${cfg}/rollout`, { method: 'PUT', key: A, json: { percentage: 30, ...(v && { version: v.config }) } }),
    },
    { name: 'PATCH flag', send: (v) => call(flag, { method: 'PATCH', key: A, json: { owner: 'ops', ...(v && { version: v.flag }) } }) },
    { name: 'archive', send: (v) => call(`${flag}${v ? `?version=${v.flag}` : ''}`, { method: 'DELETE', key: A }) },
  ];

  for (const write of writes) {
    it(`${write.name}: 428 without a version, 409 with a stale one, and neither writes anything`, async () => {
      const mark = await lastAuditId();
      const [before, beforeFlag] = [await config(), await flagVersion()];
      const missing = await write.send(undefined);
      expect(missing.status).toBe(428);
      expect((await json(missing)).error.code).toBe('version_required');
      const stale = await write.send({ flag: beforeFlag - 1, config: before.version - 1 });
      expect(stale.status).toBe(409);
      expect((await json(stale)).error.code).toBe('version_conflict');
      expect(await auditSince(mark)).toHaveLength(0);
      expect(await config()).toEqual(before);
      expect(await flagVersion()).toBe(beforeFlag);
    });
  }

  it('restore: 428 without the archived version, 409 with a stale one', async () => {
    const archived = await call(`${flag}?version=${await flagVersion()}`, { method: 'DELETE', key: A });
    expect(archived.status).toBe(200);
    const version = await flagVersion();
    expect((await call(`${flag}/restore`, { method: 'POST', key: A, json: {} })).status).toBe(428);
    expect((await call(`${flag}/restore`, { method: 'POST', key: A, json: { version: version - 1 } })).status).toBe(409);
    expect((await call(`${flag}/restore`, { method: 'POST', key: A, json: { version } })).status).toBe(200);
  });
});

describe('creates never overwrite, even when racing', () => {
  it('10 concurrent creates of one flag: one 200, the rest 409 already_exists (not 500)', async () => {
    const creates = Array.from({ length: 10 }, () =>
      call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'twin', kind: 'boolean', owner: 'qa' } }),
    );
    const answers = await Promise.all(creates);
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    for (const r of answers.filter((r) => r.status === 409)) expect((await json(r)).error.code).toBe('already_exists');
  });

  it('10 concurrent creates of one environment: one 200, the rest 409', async () => {
    const creates = Array.from({ length: 10 }, () =>
      call('/api/v1/environments', { method: 'POST', key: A, json: { key: 'qa', name: 'QA' } }),
    );
    const statuses = (await Promise.all(creates)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
  });
});
