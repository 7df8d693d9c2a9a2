// Code references (`edgeflags refs push`): a push replaces one repository's rows at once, leaves
// other repositories alone, is bounded, and needs the editor role (not production access).
import { beforeAll, describe, expect, it } from 'vitest';
import { CODE_REF_LIMITS } from '../src/admin/code-ref-routes.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;

interface Ref {
  repository: string;
  flagKey: string;
  path: string;
  line: number;
  commit: string;
  branch: string | null;
}

const push = (body: unknown, key = A) => call('/api/v1/code-refs', { method: 'PUT', key, json: body });
const list = async (query: string) => ((await (await call(`/api/v1/code-refs?${query}`, { key: A })).json()) as { refs: Ref[] }).refs;

async function tokenFor(role: 'viewer' | 'editor'): Promise<string> {
  const res = await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: `refs ${role}`, role, productionAccess: false } });
  return ((await res.json()) as { secret: string }).secret;
}

beforeAll(seed);

describe('PUT /api/v1/code-refs', () => {
  it('replaces the repository’s references atomically and lists them per flag', async () => {
    const first = await push({
      repository: 'acme/web',
      commit: 'aaa111',
      branch: 'main',
      refs: [
        { flagKey: 'new-pdf-engine', path: 'src/pdf.ts', line: 12 },
        { flagKey: 'new-pdf-engine', path: 'src/pdf.ts', line: 40 },
        { flagKey: 'ai-chatbot', path: 'src/chat.tsx', line: 3 },
      ],
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ repository: 'acme/web', commit: 'aaa111', refs: 3, flags: 2 });
    expect(
      await push({ repository: 'acme/api', commit: 'bbb222', refs: [{ flagKey: 'ai-chatbot', path: 'app.py', line: 7 }] }),
    ).toHaveProperty('status', 200);

    // The next push from acme/web no longer reads ai-chatbot: its rows go, acme/api's stay.
    const second = await push({
      repository: 'acme/web',
      commit: 'ccc333',
      branch: 'main',
      refs: [{ flagKey: 'new-pdf-engine', path: 'src/pdf.ts', line: 14 }],
    });
    expect(second.status).toBe(200);
    expect(await list('flag=new-pdf-engine')).toEqual([
      expect.objectContaining({ repository: 'acme/web', path: 'src/pdf.ts', line: 14, commit: 'ccc333', branch: 'main' }),
    ]);
    expect((await list('flag=ai-chatbot')).map((r) => `${r.repository}:${r.path}:${r.line}`)).toEqual(['acme/api:app.py:7']);
    // An empty push clears the repository.
    expect((await push({ repository: 'acme/api', commit: 'ddd444', refs: [] })).status).toBe(200);
    expect(await list('repository=acme%2Fapi')).toEqual([]);
  });

  it('refuses malformed and oversized uploads with 400 and changes nothing', async () => {
    await push({ repository: 'acme/keep', commit: 'k1', refs: [{ flagKey: 'ai-chatbot', path: 'a.ts', line: 1 }] });
    const tooMany = Array.from({ length: CODE_REF_LIMITS.refs + 1 }, (_, i) => ({ flagKey: 'x', path: 'a.ts', line: i + 1 }));
    for (const body of [
      { repository: 'acme/keep', commit: 'k2', refs: tooMany },
      { repository: '../etc', commit: 'k2', refs: [] },
      { repository: 'acme/keep', commit: 'k2', refs: [{ flagKey: 'ai-chatbot', path: 'a.ts', line: 0 }] },
      { repository: 'acme/keep', refs: [] },
    ]) {
      const res = await push(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect((await list('repository=acme%2Fkeep')).map((r) => r.commit)).toEqual(['k1']);
  });

  it('is for editors, production access or not; viewers may read', async () => {
    const editor = await tokenFor('editor');
    const viewer = await tokenFor('viewer');
    const body = { repository: 'acme/roles', commit: 'r1', refs: [{ flagKey: 'ai-chatbot', path: 'r.ts', line: 2 }] };
    expect((await push(body, viewer)).status).toBe(403);
    expect((await push(body, editor)).status).toBe(200);
    expect((await call('/api/v1/code-refs?repository=acme%2Froles', { key: viewer })).status).toBe(200);
  });
});

describe('GET /api/v1/manifest', () => {
  it('lists archived flags too, with expiry and the answer everyone gets per environment', async () => {
    const created = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      json: { key: 'manifest-gone', kind: 'boolean', owner: 'lint@example.com', expiresAt: '2020-01-01', reason: 'test' },
    });
    expect(created.status).toBe(200);
    const archived = await call('/api/v1/flags/manifest-gone', { method: 'DELETE', key: A, headers: { 'If-Match': '"1"' } });
    expect(archived.status).toBe(200);
    const res = await call('/api/v1/manifest', { key: A });
    expect(res.status).toBe(200);
    const { flags } = (await res.json()) as {
      flags: { key: string; archived: boolean; expiresAt: string | null; environments: Record<string, unknown> }[];
    };
    expect(flags.find((f) => f.key === 'manifest-gone')).toMatchObject({ archived: true, expiresAt: '2020-01-01' });
    // Off everywhere: everyone gets the off variant.
    expect(flags.find((f) => f.key === 'manifest-gone')?.environments.development).toEqual({ variant: 'off', value: false });
    expect(flags.find((f) => f.key === 'new-pdf-engine')).toMatchObject({ archived: false });
  });
});
