// Revert (issue 11 §1): a flag's configuration in one environment returns to an earlier version
// from its audit history as an ordinary write — version-guarded (409 stale, 428 without),
// validated against today's environment (422 when the old configuration refers to a segment
// deleted since), audited as config.revert, and served. Real D1, KV and hub.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const cfgUrl = '/api/v1/flags/ai-chatbot/environments/development';
const revertUrl = `${cfgUrl}/revert`;

beforeAll(seed);

interface Config {
  version: number;
  enabled: boolean;
  offVariant: string;
  rules: { id?: string; conditions: unknown[]; serve: unknown }[];
  targets: unknown[];
  defaultServe: unknown;
}
const read = async (): Promise<Config> => (await (await call(cfgUrl, { key: A })).json()) as Config;
const lastAuditId = async () => (await env.DB.prepare('SELECT max(id) AS id FROM audit_log').first<{ id: number }>())!.id;

async function put(rules: Config['rules'], version: number): Promise<number> {
  const res = await call(cfgUrl, {
    method: 'PUT',
    key: A,
    json: { version, enabled: true, offVariant: 'off', rules, defaultServe: { variant: 'off' }, reason: 'test edit' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { config: { version: number } }).config.version;
}

const revert = (json: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(revertUrl, { method: 'POST', key: A, json, headers });

const proRule = { id: 'pro', conditions: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variant: 'on' } };
const gbRule = { id: 'gb', conditions: [{ attribute: 'country', op: 'in', values: ['GB'] }], serve: { variant: 'on' } };

async function servedTo(context: Record<string, unknown>): Promise<unknown> {
  const res = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.server, json: { context } });
  return ((await res.json()) as { flags: Record<string, { value: unknown }> }).flags['ai-chatbot']?.value;
}

describe('POST /flags/{key}/environments/{env}/revert', () => {
  let original: Config;
  let proVersion: number;
  let proAudit: number;
  let gbVersion: number;

  beforeAll(async () => {
    original = await read();
    proVersion = await put([proRule], original.version);
    proAudit = await lastAuditId();
    gbVersion = await put([gbRule], proVersion);
  });

  it('returns to the configuration an audit entry left, as a new audited version that is served', async () => {
    const res = await revert({ toAuditId: proAudit }, { 'If-Match': `"${gbVersion}"` });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { config: Config; delivery: string };
    expect(body.config.version).toBe(gbVersion + 1);
    expect(body.config.rules).toEqual([proRule]);
    const now = await read();
    expect(now).toMatchObject({ version: gbVersion + 1, rules: [proRule] });

    const entry = await env.DB.prepare('SELECT action, reason, before, after FROM audit_log WHERE id = ?')
      .bind(await lastAuditId())
      .first<{ action: string; reason: string; before: string; after: string }>();
    expect(entry?.action).toBe('config.revert');
    expect(entry?.reason).toBe(`revert to version ${proVersion} (audit entry ${proAudit})`);
    expect(JSON.parse(entry!.before).rules).toEqual([gbRule]);
    expect(JSON.parse(entry!.after).rules).toEqual([proRule]);
    expect(await servedTo({ targetingKey: 'u', plan: 'pro' })).toBe(true);
    expect(await servedTo({ targetingKey: 'u', country: 'GB' })).toBe(false);
  });

  it('returns to a version number, including the first one (only ever a `before`)', async () => {
    const current = await read();
    const res = await revert({ toVersion: original.version, version: current.version, reason: 'start over' });
    expect(res.status, await res.clone().text()).toBe(200);
    const now = await read();
    expect(now.version).toBe(current.version + 1);
    expect(now.rules).toEqual(original.rules);
    expect(now.defaultServe).toEqual(original.defaultServe);
    expect(now.enabled).toBe(original.enabled);
  });

  it('answers 409 on a stale version and 428 without one, changing nothing', async () => {
    const current = await read();
    const stale = await revert({ toAuditId: proAudit, version: current.version - 1 });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('version_conflict');
    const blind = await revert({ toAuditId: proAudit });
    expect(blind.status).toBe(428);
    expect(((await blind.json()) as { error: { code: string } }).error.code).toBe('version_required');
    expect(await read()).toEqual(current);
  });

  it('answers 404 for an unknown entry, an entry of another flag or environment, and an unknown version', async () => {
    const current = await read();
    const other = await call('/api/v1/flags/new-pdf-engine/environments/development/toggle', {
      method: 'POST',
      key: A,
      json: { enabled: false },
    });
    expect(other.status).toBe(200);
    const otherEntry = await lastAuditId();
    for (const body of [{ toAuditId: 999_999 }, { toAuditId: otherEntry }, { toVersion: 999 }]) {
      const res = await revert({ ...body, version: current.version });
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const staging = await call('/api/v1/flags/ai-chatbot/environments/staging/revert', {
      method: 'POST',
      key: A,
      json: { toAuditId: proAudit, version: 1 },
    });
    expect(staging.status).toBe(404);
    expect(await read()).toEqual(current);
  });

  it('answers 400 for both or neither of toAuditId and toVersion', async () => {
    expect((await revert({ toAuditId: proAudit, toVersion: 1, version: 1 })).status).toBe(400);
    expect((await revert({ version: 1 })).status).toBe(400);
  });

  it('answers 422 rule_violation when the old configuration refers to a segment deleted since', async () => {
    const segUrl = '/api/v1/environments/development/segments/revert-pilot';
    const created = await call(segUrl, { method: 'PUT', key: A, headers: { 'If-None-Match': '*' }, json: { included: ['u1'] } });
    expect(created.status).toBe(200);
    const segRule = {
      id: 'pilot',
      conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: ['revert-pilot'] }],
      serve: { variant: 'on' },
    };
    const withSegment = await put([segRule], (await read()).version);
    const withSegmentAudit = await lastAuditId();
    await put([], withSegment);
    const segVersion = ((await created.json()) as { version: number }).version;
    expect((await call(`${segUrl}?version=${segVersion}`, { method: 'DELETE', key: A })).status).toBe(200);

    const current = await read();
    const res = await revert({ toAuditId: withSegmentAudit, version: current.version });
    expect(res.status, await res.clone().text()).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('rule_violation');
    expect(error.message).toContain('revert-pilot');
    expect(await read()).toEqual(current);
  });
});

describe('POST /flags/{key}/revert (metadata)', () => {
  const flagUrl = '/api/v1/flags/redesigned-dashboard';
  interface FlagRow {
    version: number;
    owner: string;
    tags: string[];
    description: string;
  }
  const readFlag = async () => (await (await call(flagUrl, { key: A })).json()) as FlagRow;
  const patch = async (json: Record<string, unknown>, version: number) => {
    const res = await call(flagUrl, { method: 'PATCH', key: A, json: { ...json, version } });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as FlagRow).version;
  };

  it('returns owner, tags and description to what an entry left, audited as flag.revert; 409 stale, 428 without, 404 elsewhere', async () => {
    const start = await readFlag();
    const v1 = await patch({ owner: 'growth', tags: ['beta'], description: 'first take' }, start.version);
    const entry = await lastAuditId();
    const v2 = await patch({ owner: 'platform', tags: [], description: 'second take' }, v1);

    const stale = await call(`${flagUrl}/revert`, { method: 'POST', key: A, json: { toAuditId: entry, version: v1 } });
    expect(stale.status).toBe(409);
    expect((await call(`${flagUrl}/revert`, { method: 'POST', key: A, json: { toAuditId: entry } })).status).toBe(428);
    const configEntry = (await env.DB.prepare(`SELECT max(id) AS id FROM audit_log WHERE resource_type = 'flag_config'`).first<{
      id: number;
    }>())!;
    for (const toAuditId of [configEntry.id, 999_999]) {
      const res = await call(`${flagUrl}/revert`, { method: 'POST', key: A, json: { toAuditId, version: v2 } });
      expect(res.status, String(toAuditId)).toBe(404);
    }
    expect((await readFlag()).version).toBe(v2);

    const res = await call(`${flagUrl}/revert`, { method: 'POST', key: A, json: { toAuditId: entry }, headers: { 'If-Match': `"${v2}"` } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await readFlag()).toMatchObject({ version: v2 + 1, owner: 'growth', tags: ['beta'], description: 'first take' });
    const audit = await env.DB.prepare('SELECT action, reason, resource_type AS type FROM audit_log WHERE id = ?')
      .bind(await lastAuditId())
      .first();
    expect(audit).toEqual({ action: 'flag.revert', reason: `revert to audit entry ${entry}`, type: 'flag' });
  });
});
