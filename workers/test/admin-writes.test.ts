import { beforeEach, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const cfg = '/api/v1/flags/new-pdf-engine/environments/development';
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const audit = async (flag: string) => (await json(await call(`/api/v1/audit?flag=${flag}`, { key: A }))).entries as Json[];
const lastAuditId = async () => ((await json(await call('/api/v1/audit?limit=1', { key: A }))).entries[0]?.id ?? 0) as number;
/** Entries written since `after` (storage persists across the tests of one file). */
const auditAfter = async (after: number, flag?: string) =>
  ((await json(await call(`/api/v1/audit?limit=500${flag ? `&flag=${flag}` : ''}`, { key: A }))).entries as Json[]).filter(
    (e) => e.id > after,
  );
/** The version to send with a guarded write: a flag's own, or its configuration's in one environment. */
const versionOf = async (path: string) => (await json(await call(path, { key: A }))).version as number;
const evaluate = async (context: Json) =>
  (await json(await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.server, json: { context } }))).flags as Json;

beforeEach(seed);

describe('admin writes', () => {
  it('creates a flag off in every environment and records who did it', async () => {
    const res = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      json: { key: 'dark-mode', kind: 'boolean', owner: 'ui', tags: ['ui'], clientVisible: true, reason: 'new feature' },
    });
    expect(res.status).toBe(200);
    const flag = await json(await call('/api/v1/flags/dark-mode', { key: A }));
    expect(Object.keys(flag.environments).sort()).toEqual(['development', 'production', 'staging']);
    expect(flag.environments.production.enabled).toBe(false);
    expect((await evaluate({ targetingKey: 'u' }))['dark-mode']).toMatchObject({ value: false, reason: 'DISABLED' });
    const [entry] = await audit('dark-mode');
    expect(entry).toMatchObject({ action: 'flag.create', reason: 'new feature', actor: expect.stringContaining('local admin') });
    expect((await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'dark-mode', kind: 'boolean', owner: 'qa' } })).status).toBe(
      409,
    );
  });

  it('rolls out to 25% keeping everyone already in, with audit before/after', { timeout: 30_000 }, async () => {
    const accounts = Array.from({ length: 200 }, (_, i) => `acct-${i}`);
    const inAt = async () => {
      const on = new Set<string>();
      for (const accountId of accounts) if ((await evaluate({ accountId }))['new-pdf-engine'].value === true) on.add(accountId);
      return on;
    };
    const five = await inAt();
    const res = await call(`${cfg}/rollout`, { method: 'PUT', key: A, json: { percentage: 25, version: await versionOf(cfg) } });
    expect(res.status).toBe(200);
    expect((await json(res)).config.defaultServe).toEqual({
      split: [
        { variant: 'on', weight: 25 },
        { variant: 'off', weight: 75 },
      ],
    });
    const twentyFive = await inAt();
    for (const a of five) expect(twentyFive.has(a)).toBe(true);
    expect(twentyFive.size).toBeGreaterThan(five.size);
    const [entry] = await audit('new-pdf-engine');
    expect(entry).toMatchObject({ action: 'flag.rollout', environment: 'development' });
    expect(entry!.before.defaultServe.split[0].weight).toBe(5);
    expect(entry!.after.defaultServe.split[0].weight).toBe(25);
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const mark = await lastAuditId();
    const current = await call(cfg, { key: A });
    const etag = current.headers.get('ETag')!;
    const body = await json(current);
    const edit = (enabled: boolean) => ({ enabled, offVariant: 'off', defaultServe: body.defaultServe, bucketBy: 'accountId' });
    const first = await call(cfg, { method: 'PUT', key: A, headers: { 'If-Match': etag }, json: edit(false) });
    expect(first.status).toBe(200);
    const second = await call(cfg, { method: 'PUT', key: A, headers: { 'If-Match': etag }, json: edit(true) });
    expect(second.status).toBe(409);
    expect((await json(second)).error.code).toBe('version_conflict');
    expect((await json(await call(cfg, { key: A }))).enabled).toBe(false);
    expect(await auditAfter(mark)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    const mark = await lastAuditId();
    const body = await json(await call(cfg, { key: A }));
    const edit = (percent: number) =>
      call(cfg, {
        method: 'PUT',
        key: A,
        json: {
          version: body.version,
          enabled: true,
          offVariant: 'off',
          bucketBy: 'accountId',
          defaultServe: {
            split: [
              { variant: 'on', weight: percent },
              { variant: 'off', weight: 100 - percent },
            ],
          },
        },
      });
    const statuses = (await Promise.all([edit(10), edit(20)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(await auditAfter(mark)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent metadata edits of the same version win', async () => {
    const mark = await lastAuditId();
    const flag = await json(await call('/api/v1/flags/bulk-invoice-api', { key: A }));
    const patch = (owner: string) =>
      call('/api/v1/flags/bulk-invoice-api', { method: 'PATCH', key: A, json: { owner, version: flag.version } });
    const statuses = (await Promise.all([patch('team-a'), patch('team-b')])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const entries = await auditAfter(mark);
    expect(entries).toHaveLength(1);
    const now = await json(await call('/api/v1/flags/bulk-invoice-api', { key: A }));
    expect(now.version).toBe((flag.version as number) + 1);
    expect(now.owner).toBe((entries[0]!.after as Json).owner);
  });

  it('asks for a version on full config edits but lets a kill switch through without one', async () => {
    const put = await call(cfg, { method: 'PUT', key: A, json: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' } } });
    expect(put.status).toBe(428);
    const kill = await call(`${cfg}/toggle`, { method: 'POST', key: A, json: { enabled: false, reason: 'errors spiking' } });
    expect(kill.status).toBe(200);
    expect((await evaluate({ accountId: 'acct-17621' }))['new-pdf-engine']).toMatchObject({ value: false, reason: 'DISABLED' });
    expect((await audit('new-pdf-engine'))[0]).toMatchObject({ action: 'flag.disable', reason: 'errors spiking' });
  });

  it('writes an audit entry for every kind of write', async () => {
    const mark = await lastAuditId();
    const create = { 'If-None-Match': '*' };
    await call('/api/v1/environments/development/segments/beta', { method: 'PUT', key: A, headers: create, json: { included: ['u1'] } });
    const version = await versionOf('/api/v1/flags/ai-chatbot');
    await call('/api/v1/flags/ai-chatbot', { method: 'PATCH', key: A, json: { owner: 'someone', version } });
    await call('/api/v1/environments', { method: 'POST', key: A, json: { key: 'qa', name: 'QA' } });
    const entries = await auditAfter(mark);
    expect(entries.map((e) => e.action)).toEqual(['environment.create', 'flag.update', 'segment.create']);
    const byActor = (await json(await call('/api/v1/audit?actor=local%20admin&limit=1', { key: A }))).entries as Json[];
    expect(byActor).toHaveLength(1);
  });

  it('archives a flag out of every snapshot, unless another flag depends on it', async () => {
    const flag = '/api/v1/flags/ai-chatbot';
    // new-pdf-engine takes ai-chatbot as a prerequisite in staging: archiving it is refused.
    const dependent = '/api/v1/flags/new-pdf-engine/environments/staging';
    const config = await json(await call(dependent, { key: A }));
    const { flagKey: _f, environment: _e, salt: _s, updatedAt: _u, ...body } = config;
    const prerequisite = { ...body, prerequisites: [{ flag: 'ai-chatbot', variants: ['on'] }] };
    expect((await call(dependent, { method: 'PUT', key: A, json: prerequisite })).status).toBe(200);
    const mark = await lastAuditId();
    const refused = await call(flag, { method: 'DELETE', key: A, headers: { 'If-Match': `"${await versionOf(flag)}"` } });
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({
      code: 'in_use',
      message: expect.stringContaining('flag "new-pdf-engine" has "ai-chatbot" as a prerequisite in "staging"'),
    });
    expect((await evaluate({}))['ai-chatbot']).toBeDefined();
    expect(await auditAfter(mark)).toHaveLength(0);

    const released = { ...body, version: config.version + 1, prerequisites: [] };
    expect((await call(dependent, { method: 'PUT', key: A, json: released })).status).toBe(200);
    expect((await call(flag, { method: 'DELETE', key: A, headers: { 'If-Match': `"${await versionOf(flag)}"` } })).status).toBe(200);
    expect((await evaluate({}))['ai-chatbot']).toBeUndefined();
    expect((await call(flag, { key: A })).status).toBe(200);
  });

  it('restores an archived flag with the configuration it had, audited and guarded by its version', async () => {
    // ai-chatbot is archived by the test before (storage persists across this file's tests).
    const flag = '/api/v1/flags/bulk-invoice-api';
    const before = await evaluate({ accountId: 'acct-ent-001' });
    const live = await versionOf(flag);
    expect((await call(`${flag}?version=${live}`, { method: 'DELETE', key: A, json: undefined })).status).toBe(200);
    expect((await evaluate({}))['bulk-invoice-api']).toBeUndefined();
    const archived = await versionOf(flag);
    expect(archived).toBe(live + 1);
    const stale = await call(`${flag}/restore`, { method: 'POST', key: A, json: { version: live } });
    expect(stale.status).toBe(409);
    expect((await call(`${flag}/restore`, { method: 'POST', key: A, json: {} })).status).toBe(428);
    const restored = await call(`${flag}/restore`, { method: 'POST', key: A, json: { version: archived, reason: 'archived by mistake' } });
    expect(restored.status).toBe(200);
    expect(await json(restored)).toMatchObject({ key: 'bulk-invoice-api', archivedAt: null, version: archived + 1 });
    expect((await evaluate({ accountId: 'acct-ent-001' }))['bulk-invoice-api']).toEqual(before['bulk-invoice-api']);
    expect((await audit('bulk-invoice-api')).slice(0, 2).map((e) => e.action)).toEqual(['flag.restore', 'flag.archive']);
    const again = await call(`${flag}/restore`, { method: 'POST', key: A, json: { version: archived + 1 } });
    expect(again.status).toBe(409);
  });

  it('serves an OpenAPI 3.1 document of the admin API', async () => {
    const res = await call('/api/v1/openapi.json');
    const doc = await json(res);
    expect(res.status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/flags', '/flags/{key}/environments/{env}/toggle', '/audit', '/sdk-keys']),
    );
    expect(doc.components.schemas.FlagConfig).toBeDefined();
    expect(doc.components.schemas).toMatchObject({ Flag: expect.any(Object), ConfigWriteResult: expect.any(Object) });
    // Every operation documents what its success answers with, not just "some JSON".
    const operations = Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.entries(ops as Json).map(([method, op]) => ({ operation: `${method.toUpperCase()} ${path}`, op: op as Json })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { operation, op } of operations) {
      const success = op.responses['200'] ?? op.responses['201'];
      const schemas = Object.values((success?.content ?? {}) as Json).map((media) => media.schema as Json | undefined);
      expect(schemas, operation).not.toHaveLength(0);
      for (const schema of schemas) expect(schema?.$ref ?? schema?.type ?? schema?.properties, operation).toBeDefined();
    }
    const hidden = JSON.stringify(doc.components.schemas.SdkKey) + JSON.stringify(doc.components.schemas.AdminToken);
    expect(hidden).not.toContain('hash');
  });
});

describe('segment deletion', () => {
  const seg = (key: string) => `/api/v1/environments/staging/segments/${key}`;
  const chatbot = '/api/v1/flags/pilot-feature/environments/staging';

  it('refuses to delete a segment a flag rule still uses, and deletes it once unused', async () => {
    const create = { 'If-None-Match': '*' };
    expect((await call(seg('pilot'), { method: 'PUT', key: A, headers: create, json: { included: ['u1'] } })).status).toBe(200);
    const nested = await call(seg('pilot-plus'), {
      method: 'PUT',
      key: A,
      headers: create,
      json: { rules: [[{ attribute: 'targetingKey', op: 'inSegment', values: ['pilot'] }]] },
    });
    expect(nested.status).toBe(422);
    expect((await json(nested)).error.message).toContain('segments cannot refer to other segments');
    expect(
      (await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'pilot-feature', kind: 'boolean', owner: 'qa' } })).status,
    ).toBe(200);
    const current = await json(await call(chatbot, { key: A }));
    const useIt = await call(chatbot, {
      method: 'PUT',
      key: A,
      json: {
        version: current.version,
        enabled: true,
        offVariant: 'off',
        rules: [{ conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: ['pilot'] }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
    });
    expect(useIt.status).toBe(200);

    const refused = await call(`${seg('pilot')}?version=1`, { method: 'DELETE', key: A });
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({ code: 'in_use', message: expect.stringContaining('flag "pilot-feature"') });

    const version = (await json(useIt)).config.version;
    await call(chatbot, { method: 'PUT', key: A, json: { version, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' } } });
    expect((await call(`${seg('pilot')}?version=1`, { method: 'DELETE', key: A })).status).toBe(200);
    expect((await call(seg('pilot'), { key: A })).status).toBe(404);
  });
});

describe('variant edits (PATCH /flags/{key} with variants)', () => {
  const flagUrl = '/api/v1/flags/invoice-theme';
  const evaluate = async () =>
    (
      (await json(
        await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.server, json: { context: { targetingKey: 'u1' } } }),
      )) as { flags: Record<string, { value: unknown; variant?: string }> }
    ).flags['invoice-theme'];

  it('changes a served value everywhere, and refuses removing a variant an environment still serves', async () => {
    const created = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      json: {
        key: 'invoice-theme',
        kind: 'string',
        owner: 'qa',
        variants: { classic: 'classic', modern: 'modern-v1' },
        offVariant: 'classic',
      },
    });
    expect(created.status).toBe(200);
    const cfg = await json(await call(`${flagUrl}/environments/development`, { key: A }));
    const put = await call(`${flagUrl}/environments/development`, {
      method: 'PUT',
      key: A,
      json: { version: cfg.version, enabled: true, offVariant: 'classic', defaultServe: { variant: 'modern' } },
    });
    expect(put.status).toBe(200);
    expect(await evaluate()).toMatchObject({ value: 'modern-v1', variant: 'modern' });

    const patch = async (variants: Json) =>
      call(flagUrl, { method: 'PATCH', key: A, json: { variants, version: await versionOf(flagUrl) } });
    const renamed = await patch({ classic: 'classic', modern: 'modern-v2' });
    expect(renamed.status).toBe(200);
    expect(await evaluate()).toMatchObject({ value: 'modern-v2', variant: 'modern' });

    const before = await json(await call(flagUrl, { key: A }));
    const removed = await patch({ classic: 'classic' });
    expect(removed.status).toBe(422);
    const error = (await json(removed)).error;
    expect(error.message).toMatch(/^in "development": /);
    expect(error.message).toContain('modern');
    const wrongKind = await patch({ classic: 1, modern: 'modern-v2' });
    expect(wrongKind.status).toBe(422);
    const after = await json(await call(flagUrl, { key: A }));
    expect(after.version).toBe(before.version);
    expect(after.variants).toEqual({ classic: 'classic', modern: 'modern-v2' });
  });
});
