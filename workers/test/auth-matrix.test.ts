import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

type Who = 'none' | 'bogus' | 'server' | 'client' | 'viewer' | 'editor' | 'editorNoProd' | 'admin';
const keys: Partial<Record<Who, string>> = {
  bogus: 'efa_doesNotExist0000000000000000000',
  server: LOCAL_KEYS.server,
  client: LOCAL_KEYS.client,
  admin: LOCAL_KEYS.admin,
};

beforeAll(async () => {
  await seed();
  for (const [who, role, productionAccess] of [
    ['viewer', 'viewer', true],
    ['editor', 'editor', true],
    ['editorNoProd', 'editor', false],
  ] as const) {
    const res = await call('/api/v1/admin-tokens', { method: 'POST', key: LOCAL_KEYS.admin, json: { name: who, role, productionAccess } });
    keys[who] = ((await res.json()) as { secret: string }).secret;
  }
});

const ctx = { context: { targetingKey: 'u', plan: 'free', country: 'US' } };
const toggle = (env: string) => ({
  method: 'POST',
  json: { enabled: false } as unknown,
  path: `/api/v1/flags/ai-chatbot/environments/${env}/toggle`,
});

// Each route × each caller: the status it must get (200 allowed; 401 unknown caller; 403 wrong role or key kind).
const matrix: Array<{ route: string; method: string; path: string; json?: unknown; expect: Record<Who, number> }> = [
  {
    route: 'list flags',
    method: 'GET',
    path: '/api/v1/flags',
    expect: { none: 401, bogus: 401, server: 401, client: 401, viewer: 200, editor: 200, editorNoProd: 200, admin: 200 },
  },
  {
    route: 'audit log',
    method: 'GET',
    path: '/api/v1/audit',
    expect: { none: 401, bogus: 401, server: 401, client: 401, viewer: 200, editor: 200, editorNoProd: 200, admin: 200 },
  },
  {
    route: 'toggle in staging',
    ...toggle('staging'),
    expect: { none: 401, bogus: 401, server: 401, client: 401, viewer: 403, editor: 200, editorNoProd: 200, admin: 200 },
  },
  {
    route: 'toggle in production',
    ...toggle('production'),
    expect: { none: 401, bogus: 401, server: 401, client: 401, viewer: 403, editor: 200, editorNoProd: 403, admin: 200 },
  },
  {
    route: 'list SDK keys',
    method: 'GET',
    path: '/api/v1/sdk-keys',
    expect: { none: 401, bogus: 401, server: 401, client: 401, viewer: 403, editor: 403, editorNoProd: 403, admin: 200 },
  },
  {
    route: 'snapshot (rules)',
    method: 'GET',
    path: '/sdk/v1/snapshot',
    expect: { none: 401, bogus: 401, server: 200, client: 403, viewer: 401, editor: 401, editorNoProd: 401, admin: 401 },
  },
  {
    route: 'bulk evaluate',
    method: 'POST',
    path: '/sdk/v1/evaluate',
    json: ctx,
    expect: { none: 401, bogus: 401, server: 200, client: 200, viewer: 401, editor: 401, editorNoProd: 401, admin: 401 },
  },
  {
    route: 'OFREP flag',
    method: 'POST',
    path: '/ofrep/v1/evaluate/flags/ai-chatbot',
    json: ctx,
    expect: { none: 401, bogus: 401, server: 200, client: 200, viewer: 401, editor: 401, editorNoProd: 401, admin: 401 },
  },
];

describe('authorization matrix', () => {
  for (const row of matrix) {
    for (const [who, status] of Object.entries(row.expect) as [Who, number][]) {
      it(`${row.route} as ${who} → ${status}`, async () => {
        const res = await call(row.path, { method: row.method, key: keys[who], json: row.json });
        expect(res.status).toBe(status);
        if (status >= 400)
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
      });
    }
  }

  it('accepts X-API-Key as well as Bearer', async () => {
    const res = await call('/sdk/v1/evaluate', { method: 'POST', headers: { 'X-API-Key': LOCAL_KEYS.client }, json: ctx });
    expect(res.status).toBe(200);
  });

  it('never shows a client key rules, targets or server-only flags', async () => {
    const res = await call('/sdk/v1/evaluate', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { accountId: 'acct-ent-001' } },
    });
    const text = await res.text();
    expect(text).not.toContain('bulk-invoice-api');
    expect(text).not.toContain('acct-ent-');
    expect(text).not.toContain('conditions');
    expect(text).not.toContain('split');
    const ofrep = await call('/ofrep/v1/evaluate/flags/bulk-invoice-api', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { accountId: 'acct-ent-001' } },
    });
    expect(ofrep.status).toBe(404);
  });

  it('stops a revoked SDK key and a revoked admin token', async () => {
    const created = (await (
      await call('/api/v1/sdk-keys', {
        method: 'POST',
        key: LOCAL_KEYS.admin,
        json: { kind: 'client', environment: 'development', name: 'temp' },
      })
    ).json()) as { id: string; secret: string };
    expect(created.secret).toMatch(/^efc_[0-9A-Za-z]{32}$/);
    expect((await call('/sdk/v1/evaluate', { method: 'POST', key: created.secret, json: ctx })).status).toBe(200);
    expect((await call(`/api/v1/sdk-keys/${created.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin })).status).toBe(200);
    expect((await call('/sdk/v1/evaluate', { method: 'POST', key: created.secret, json: ctx })).status).toBe(401);
    const listed = (await (await call('/api/v1/sdk-keys', { key: LOCAL_KEYS.admin })).json()) as { keys: Record<string, unknown>[] };
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed.keys.every((k) => !('hash' in k))).toBe(true);
    expect((await call(`/api/v1/sdk-keys/${created.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin })).status).toBe(404);

    const token = (await (
      await call('/api/v1/admin-tokens', { method: 'POST', key: LOCAL_KEYS.admin, json: { name: 'temp viewer', role: 'viewer' } })
    ).json()) as { id: string; secret: string; role: string };
    expect(token).toMatchObject({ role: 'viewer', productionAccess: true });
    expect((await call('/api/v1/me', { key: token.secret })).status).toBe(200);
    expect((await call(`/api/v1/admin-tokens/${token.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin })).status).toBe(200);
    expect((await call('/api/v1/me', { key: token.secret })).status).toBe(401);
  });

  it('audits key and token creation and revocation without the secret or its hash', async () => {
    const key = (await (
      await call('/api/v1/sdk-keys', {
        method: 'POST',
        key: LOCAL_KEYS.admin,
        json: { kind: 'server', environment: 'staging', name: 'ci' },
      })
    ).json()) as { id: string; secret: string };
    await call(`/api/v1/sdk-keys/${key.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin });
    const { entries } = (await (await call('/api/v1/audit?limit=2', { key: LOCAL_KEYS.admin })).json()) as {
      entries: { action: string; environment: string; before: unknown; after: unknown }[];
    };
    expect(entries.map((e) => e.action)).toEqual(['sdk_key.revoke', 'sdk_key.create']);
    expect(entries[1]).toMatchObject({ environment: 'staging', after: { id: key.id, name: 'ci', kind: 'server', revokedAt: null } });
    expect(entries[0]).toMatchObject({ before: { id: key.id, name: 'ci' } });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(key.secret);
    expect(text).not.toContain('hash');
  });
});
