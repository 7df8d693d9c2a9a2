// The admin API's OpenAPI document as a contract: generated from the app's routes, so a route
// without an operationId or summary, a repeated id, or a status listed that the route cannot
// answer (or answered but not listed) fails here.

import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { OPERATIONS } from '../src/admin/api-operations.ts';
import { admin } from '../src/app.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

interface Op {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, unknown>;
}
let doc: { paths: Record<string, Record<string, Op>> };
const A = LOCAL_KEYS.admin;
let viewer: string;

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ id: `${method} ${path}`, path, method, op })),
  );
const op = (id: string) => operations().find((o) => o.id === id)!.op;
const statuses = (id: string) => Object.keys(op(id).responses).map(Number);

beforeAll(async () => {
  await seed();
  doc = (await (await call('/api/v1/openapi.json')).json()) as typeof doc;
  const res = await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'contract viewer', role: 'viewer' } });
  viewer = ((await res.json()) as { secret: string }).secret;
});

describe('every operation names itself', () => {
  it('has an operationId and a summary, and no operationId repeats', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    for (const { id, op } of ops) {
      expect(op.operationId, id).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary?.length, id).toBeGreaterThan(5);
    }
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('api-operations.ts lists exactly the routes the app registers', () => {
    expect(
      operations()
        .map((o) => o.id)
        .sort(),
    ).toEqual(Object.keys(OPERATIONS).sort());
  });
});

describe('each operation lists only the responses it can give', () => {
  it('428 only on version-guarded writes, 404 only with a path parameter, 403 only above the viewer role', () => {
    for (const { id, path, method, op } of operations()) {
      const listed = Object.keys(op.responses);
      expect(listed.includes('428'), id).toBe(OPERATIONS[id]!.guarded !== undefined);
      expect(listed.includes('404'), id).toBe(path.includes('{'));
      if (method === 'get') expect(listed, id).not.toContain('409');
    }
    expect(statuses('get /me')).toEqual([200, 401, 500, 503]);
    expect(statuses('get /flags')).not.toContain(403);
    expect(statuses('get /sdk-keys')).toContain(403);
    expect(statuses('post /environments/{env}/evaluate')).not.toContain(403);
    expect(statuses('get /environments/{env}/changes')).toContain(429);
    expect(statuses('get /flags')).not.toContain(429);
  });

  // Real answers of a sample, each checked against the statuses its operation lists.
  const segment = '/environments/development/segments/contract-segment';
  const release = '/flags/ai-chatbot/environments/development/releases/00000000-0000-4000-8000-000000000000';
  const SAMPLE: {
    id: string;
    path: string;
    method?: string;
    json?: unknown;
    headers?: Record<string, string>;
    who?: 'viewer';
    expect: number;
  }[] = [
    {
      id: 'put /environments/{env}/segments/{segment}',
      path: segment,
      method: 'PUT',
      json: { included: ['u1'] },
      headers: { 'If-None-Match': '*' },
      expect: 200,
    },
    { id: 'put /environments/{env}/segments/{segment}', path: segment, method: 'PUT', json: { included: ['u2'] }, expect: 428 },
    {
      id: 'put /environments/{env}/segments/{segment}',
      path: segment,
      method: 'PUT',
      json: { included: ['u2'] },
      headers: { 'If-None-Match': '*' },
      expect: 409,
    },
    { id: 'delete /environments/{env}/segments/{segment}', path: segment, method: 'DELETE', expect: 428 },
    {
      id: 'post /flags/{key}/environments/{env}/toggle',
      path: '/flags/ai-chatbot/environments/development/toggle',
      method: 'POST',
      json: { enabled: true },
      expect: 428,
    },
    { id: 'post /flags/{key}/environments/{env}/releases/{id}/pause', path: `${release}/pause`, method: 'POST', json: {}, expect: 428 },
    {
      id: 'post /flags/{key}/environments/{env}/releases/{id}/rollback',
      path: `${release}/rollback`,
      method: 'POST',
      json: {},
      expect: 404,
    },
    { id: 'patch /flags/{key}', path: '/flags/ai-chatbot', method: 'PATCH', json: { owner: 'x' }, expect: 428 },
    { id: 'delete /flags/{key}', path: '/flags/ai-chatbot', method: 'DELETE', expect: 428 },
    { id: 'post /flags/{key}/restore', path: '/flags/ai-chatbot/restore', method: 'POST', json: {}, expect: 428 },
    {
      id: 'put /flags/{key}/environments/{env}/rollout',
      path: '/flags/ai-chatbot/environments/development/rollout',
      method: 'PUT',
      json: { percentage: 5 },
      expect: 428,
    },
    {
      id: 'post /sdk-keys',
      path: '/sdk-keys',
      method: 'POST',
      json: { kind: 'server', environment: 'development', name: 'x' },
      expect: 200,
    },
    {
      id: 'post /environments/{env}/evaluate',
      path: '/environments/development/evaluate',
      method: 'POST',
      json: { context: { targetingKey: 'u' } },
      who: 'viewer',
      expect: 200,
    },
    { id: 'get /flags/{key}', path: '/flags/no-such-flag', expect: 404 },
    { id: 'get /sdk-keys', path: '/sdk-keys', who: 'viewer', expect: 403 },
    { id: 'get /flags', path: '/flags', who: 'viewer', expect: 200 },
    { id: 'post /flags', path: '/flags', method: 'POST', json: { key: 'x', kind: 'boolean', owner: 'qa' }, who: 'viewer', expect: 403 },
  ];
  it.each(SAMPLE.map((s) => [`${s.method ?? 'GET'} ${s.path} → ${s.expect}`, s] as const))('%s, a listed status', async (_, s) => {
    const key = s.who === 'viewer' ? viewer : A;
    const res = await call(`/api/v1${s.path}`, { method: s.method ?? 'GET', key, json: s.json, headers: s.headers });
    expect(res.status, await res.clone().text()).toBe(s.expect);
    expect(statuses(s.id)).toContain(s.expect);
  });
});

describe('every operation, called by an admin and a viewer with an empty body and sample parameters', () => {
  const PARAMS: Record<string, string> = {
    key: 'ai-chatbot',
    env: 'development',
    segment: 'no-such-segment',
    id: '00000000-0000-4000-8000-000000000000',
  };
  it('answers a status its operation lists', async () => {
    for (const { id, path, method } of operations()) {
      const url = `/api/v1${path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name]!)}`;
      for (const key of [A, viewer]) {
        const res = await call(url, { method: method.toUpperCase(), key, json: method === 'get' ? undefined : {} });
        await res.body?.cancel();
        expect(statuses(id), `${id} answered ${res.status}${key === viewer ? ' to a viewer' : ''}`).toContain(res.status);
      }
    }
  });
});

describe('validators and headers', () => {
  it('documents If-Match on guarded writes, If-None-Match on the segment PUT, Idempotency-Key on every write', () => {
    for (const { id, method, op } of operations()) {
      const headers = (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
      expect(headers.includes('If-Match'), id).toBe(OPERATIONS[id]!.guarded !== undefined);
      expect(headers.includes('Idempotency-Key'), id).toBe(method !== 'get');
    }
    expect(op('put /environments/{env}/segments/{segment}').parameters?.map((p) => p.name)).toContain('If-None-Match');
  });

  it('If-Match: "3" (the config ETag) keeps working, stale is 409, W/ is accepted', async () => {
    const path = '/api/v1/flags/ai-chatbot/environments/staging';
    const etag = (await call(path, { key: A })).headers.get('ETag')!;
    expect(etag).toMatch(/^"\d+"$/);
    const put = (ifMatch: string) =>
      call(`${path}/rollout`, { method: 'PUT', key: A, headers: { 'If-Match': ifMatch }, json: { percentage: 7 } });
    expect((await put(etag)).status).toBe(200);
    const next = (await call(path, { key: A })).headers.get('ETag')!;
    expect(Number(next.replaceAll('"', ''))).toBe(Number(etag.replaceAll('"', '')) + 1);
    expect((await put(etag)).status).toBe(409);
    expect((await put(`W/${next}`)).status).toBe(200);
  });
});

describe('request examples', () => {
  it("each main write's example is valid for its body schema", () => {
    let checked = 0;
    for (const def of admin.openAPIRegistry.definitions) {
      if (def.type !== 'route') continue;
      const body = def.route.request?.body?.content['application/json'] as { schema: z.ZodType; example?: unknown } | undefined;
      if (!body?.example) continue;
      const parsed = body.schema.safeParse(body.example);
      expect(parsed.success, `${def.route.method} ${def.route.path}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
    expect(op('post /flags').requestBody?.content['application/json']?.example).toMatchObject({ key: 'new-checkout' });
  });

  it('the createFlag example creates a flag', async () => {
    const example = OPERATIONS['post /flags']!.example;
    const res = await call('/api/v1/flags', { method: 'POST', key: A, json: example });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('the API reference page', () => {
  it('renders every operation as plain HTML, with no script and no external resource', async () => {
    const res = await call('/api/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);
    for (const { op } of operations()) expect(html).toContain(`id="${op.operationId}"`);
    expect(html).toContain('If-Match');
    expect(html).toContain('href="/api/v1/streams.json"');
  });
});
