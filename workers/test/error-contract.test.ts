// The error contract, generated from the route table: every route the app registers answers a
// code from the closed set (errors.ts) with that code's status, whatever it is sent. A new route
// is covered the day it is added; one whose refusal falls outside the set fails here.
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app.ts';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../src/errors.ts';
import { bodyRuleFor } from '../src/request-body.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes anyone may call; every other route must refuse a caller without a credential. */
const PUBLIC = new Set(['GET /healthz', 'GET /openapi.json', 'GET /api/v1/openapi.json', 'GET /api/v1/streams.json', 'GET /api/v1/docs']);
/** A sample value per path parameter, so each route reaches its body handling. */
const PARAMS: Record<string, string> = {
  key: 'ai-chatbot',
  env: 'development',
  segment: 'contract-segment',
  id: '00000000-0000-4000-8000-000000000000',
};

interface Route {
  method: string;
  pattern: string;
  path: string;
}

/** The app's routes as Hono registered them (middleware entries left out), with sample paths. */
function routeTable(): Route[] {
  const seen = new Map<string, Route>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const path = r.path.replace(/:(\w+)/g, (_, name: string) => {
      const value = PARAMS[name];
      if (!value) throw new Error(`route ${r.path}: add a sample value for :${name} to PARAMS`);
      return value;
    });
    seen.set(`${r.method} ${r.path}`, { method: r.method, pattern: r.path, path });
  }
  return [...seen.values()];
}

const ROUTES = routeTable();
const WRITES = ROUTES.filter((r) => WRITE_METHODS.has(r.method));
const isSdk = (r: Route) => !r.path.startsWith('/api/');
const credential = (r: Route) => (isSdk(r) ? LOCAL_KEYS.server : A);

type ErrorBody = { error: { code: ErrorCode; message: string }; errorCode?: string; key?: string };

/** The status and a code of the closed set that belongs to it. */
async function expectError(res: Response, status: number, code?: ErrorCode): Promise<ErrorBody> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code: code ?? expect.any(String) });
  expect(ERROR_CODES).toContain(body.error.code);
  expect(ERROR_STATUS[body.error.code]).toBe(res.status);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

type Doc = { paths: Record<string, Record<string, { requestBody?: unknown }>> };
const DOC = (await (await call('/api/v1/openapi.json')).json()) as Doc;
/** Admin routes whose operation declares a request body; SDK and OFREP writes all take JSON. */
const takesBody = new Set([
  ...Object.entries(DOC.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.requestBody)
      .map(([method]) => `${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`),
  ),
  ...WRITES.filter(isSdk).map((r) => `${r.method} ${r.pattern}`),
]);
let auditBefore: string;

beforeAll(async () => {
  await seed();
  auditBefore = await (await call('/api/v1/audit', { key: A })).text();
});

describe('every route answers a code from the closed set', () => {
  it('covers the route table', () => {
    expect(WRITES.length).toBeGreaterThan(15);
    for (const r of WRITES.filter((w) => !isSdk(w))) {
      expect(takesBody.has(`${r.method} ${r.pattern}`) || r.method === 'DELETE' || /\/(restore|rotate)$/.test(r.pattern), r.pattern).toBe(
        true,
      );
    }
  });

  it.each(ROUTES.filter((r) => !PUBLIC.has(`${r.method} ${r.pattern}`)).map((r) => [`${r.method} ${r.pattern}`, r] as const))(
    '%s refuses a caller without a credential with 401 unauthorized',
    async (_, r) => {
      const init: RequestInit & { json?: unknown } = { method: r.method };
      if (WRITE_METHODS.has(r.method)) init.json = {};
      await expectError(await call(r.path, init), 401, 'unauthorized');
    },
  );

  it.each(WRITES.map((r) => [`${r.method} ${r.pattern}`, r] as const))(
    '%s refuses a body that is not JSON with 415 unsupported_media_type',
    async (_, r) => {
      // SDK bodies may be text/plain (a browser's string body, sendBeacon); a form never is JSON.
      const type = isSdk(r) ? 'application/x-www-form-urlencoded' : 'text/plain';
      const res = await call(r.path, { method: r.method, key: credential(r), headers: { 'Content-Type': type }, body: 'enabled=false' });
      await expectError(res, 415, 'unsupported_media_type');
    },
  );

  it.each(WRITES.filter((r) => r.method === 'DELETE').map((r) => [`${r.method} ${r.pattern}`, r] as const))(
    '%s treats an empty, typeless body stream as no body (what wrangler dev hands a bodyless DELETE)',
    async (_, r) => {
      const empty = new ReadableStream({ start: (controller) => controller.close() });
      const headers = new Headers({ Authorization: `Bearer ${credential(r)}` });
      const res = await call(r.path, { method: r.method, headers, body: empty });
      expect(res.headers.get('content-type') ?? '').not.toContain('text/plain');
      expect(res.status, await res.clone().text()).not.toBe(415);
    },
  );

  it.each(WRITES.map((r) => [`${r.method} ${r.pattern}`, r] as const))(
    '%s refuses a body over its limit with 413 payload_too_large naming the limit',
    async (_, r) => {
      const limit = bodyRuleFor(r.path).bytes;
      const body = `{"pad":"${'x'.repeat(limit)}"}`;
      const res = await call(r.path, { method: r.method, key: credential(r), headers: { 'Content-Type': 'application/json' }, body });
      const error = await expectError(res, 413, 'payload_too_large');
      expect(error.error.message).toContain(String(limit));
    },
  );

  it.each(WRITES.filter((r) => takesBody.has(`${r.method} ${r.pattern}`)).map((r) => [`${r.method} ${r.pattern}`, r] as const))(
    '%s answers malformed JSON with 400 invalid_json',
    async (_, r) => {
      const res = await call(r.path, {
        method: r.method,
        key: credential(r),
        headers: { 'Content-Type': 'application/json' },
        body: '{"enabled": tru',
      });
      const body = await expectError(res, 400, 'invalid_json');
      if (r.path.startsWith('/ofrep/')) expect(body.errorCode).toBe('PARSE_ERROR');
    },
  );

  it('changed nothing while refusing', async () => {
    expect(await (await call('/api/v1/audit', { key: A })).text()).toBe(auditBefore);
  });
});

describe('400 for a malformed body, 422 for a well-formed one refused by a rule', () => {
  const cfg = '/api/v1/flags/ai-chatbot/environments/development';
  const put = async (config: Record<string, unknown>) => {
    const { version } = (await (await call(cfg, { key: A })).json()) as { version: number };
    return call(cfg, {
      method: 'PUT',
      key: A,
      json: { version, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' }, ...config },
    });
  };
  const rule = (condition: unknown) => ({ rules: [{ conditions: [condition], serve: { variant: 'on' } }] });

  it.each([
    ['a wrong type', { enabled: 'yes' }],
    ['an unknown field', { colour: 'red' }],
    ['an unknown operator', rule({ attribute: 'plan', op: 'resembles', values: ['x'] })],
    ['weights that do not sum to 100%', { defaultServe: { split: [{ variant: 'on', weight: 60 }] } }],
  ])('%s is 400 invalid_request', async (_, config) => {
    await expectError(await put(config), 400, 'invalid_request');
  });

  it.each([
    ['an unknown variant', { defaultServe: { variant: 'maybe' } }, /unknown variant "maybe"/],
    ['an unknown segment', rule({ attribute: 'targetingKey', op: 'inSegment', values: ['nobody'] }), /segment "nobody" does not exist/],
    ['a missing prerequisite flag', { prerequisites: [{ flag: 'no-such-flag', variants: ['on'] }] }, /does not exist/],
  ])('%s is 422 rule_violation', async (_, config, message) => {
    const body = await expectError(await put(config), 422, 'rule_violation');
    expect(body.error.message).toMatch(message);
  });

  it('a prerequisite cycle is 422 rule_violation', async () => {
    const other = '/api/v1/flags/new-pdf-engine/environments/development';
    const { version } = (await (await call(other, { key: A })).json()) as { version: number };
    const first = await call(other, {
      method: 'PUT',
      key: A,
      json: {
        version,
        enabled: true,
        offVariant: 'off',
        defaultServe: { variant: 'off' },
        prerequisites: [{ flag: 'ai-chatbot', variants: ['on'] }],
      },
    });
    expect(first.status).toBe(200);
    const body = await expectError(await put({ prerequisites: [{ flag: 'new-pdf-engine', variants: ['on'] }] }), 422, 'rule_violation');
    expect(body.error.message).toMatch(/cycle/);
  });

  it('a rollout of the off variant is 422 rule_violation', async () => {
    const res = await call(`${cfg}/rollout`, { method: 'PUT', key: A, json: { percentage: 10, variant: 'off', version: 1 } });
    await expectError(res, 422, 'rule_violation');
  });
});

describe('OFREP keeps its protocol shape and carries the code', () => {
  const ofrep = (path: string, body: string) =>
    call(path, { method: 'POST', key: LOCAL_KEYS.server, headers: { 'Content-Type': 'application/json' }, body });

  it('names the flag and PARSE_ERROR for unparseable JSON on a single evaluation', async () => {
    const body = await expectError(await ofrep('/ofrep/v1/evaluate/flags/ai-chatbot', '{"context":'), 400, 'invalid_json');
    expect(body).toMatchObject({ key: 'ai-chatbot', errorCode: 'PARSE_ERROR', errorDetails: expect.any(String) });
  });

  it('answers INVALID_CONTEXT without a key on the bulk route', async () => {
    const body = await expectError(await ofrep('/ofrep/v1/evaluate/flags', '{"context":[1,2]}'), 400, 'invalid_request');
    expect(body).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });
    expect(body.key).toBeUndefined();
  });
});

describe('the OpenAPI document lists the closed set', () => {
  type Op = { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };
  let doc: { components: { schemas: Record<string, unknown> }; paths: Record<string, Record<string, Op>> };
  beforeAll(async () => {
    doc = (await (await call('/api/v1/openapi.json')).json()) as typeof doc;
  });

  it('has an Error schema whose code enum is exactly ERROR_CODES', () => {
    const error = doc.components.schemas.Error as { properties: { error: { properties: { code: { enum: string[] } } } } };
    expect(error.properties.error.properties.code.enum).toEqual(ERROR_CODES);
  });

  it('references it from every error response, and documents 413, 415 and 422 on every write', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          expect(response.content?.['application/json']?.schema.$ref, `${method} ${path} ${status}`).toBe('#/components/schemas/Error');
        }
        if (method !== 'get') expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['413', '415', '422']));
      }
    }
  });
});
