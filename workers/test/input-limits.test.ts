// Input limits (issue 8 item 16): body size refused before it is read, nesting bounded at parse,
// prototype keys and script links refused, and every keyed answer private to its key.
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app.ts';
import { JSON_MAX_DEPTH, nestingDepth, parseJson } from '../src/parse-json.ts';
import { ADMIN_BODY_BYTES } from '../src/request-body.ts';
import { configOf, createOk } from './release-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const raw = (path: string, body: string, key = A) =>
  call(path, { method: 'POST', key, headers: { 'Content-Type': 'application/json' }, body });
const flagExists = async (key: string) => (await call(`/api/v1/flags/${key}`, { key: A })).status === 200;

beforeAll(seed);

describe('body size', () => {
  it('refuses a 40 MB admin body by its Content-Length, naming the limit', async () => {
    const body = `{"key":"huge","kind":"string","variants":{"a":"${'x'.repeat(40 * 1024 * 1024)}"}}`;
    const res = await raw('/api/v1/flags', body);
    expect(res.status).toBe(413);
    const error = await errorOf(res);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain(String(ADMIN_BODY_BYTES));
    expect(await flagExists('huge')).toBe(false);
  });

  it('stops reading a body streamed without a Content-Length once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"key":"streamed","kind":"string","variants":{"a":"'));
      },
      pull(controller) {
        // 40 MB if read to the end.
        if (pulled >= 40 * 1024 * 1024) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
    // Read up to the limit and a chunk or two of look-ahead, not the 40 MB.
    expect(pulled).toBeLessThan(ADMIN_BODY_BYTES + 4 * chunk.length);
  });
});

describe('nesting depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('answers a variant nested 2,000 deep with 400 naming the limit, not 500', async () => {
    const res = await raw('/api/v1/flags', `{"key":"deep-json","kind":"json","variants":{"on":${nested(2000)},"off":null}}`);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(String(JSON_MAX_DEPTH));
    expect(await flagExists('deep-json')).toBe(false);
  });

  it('bounds SDK and OFREP bodies the same way', async () => {
    for (const path of ['/sdk/v1/evaluate', '/ofrep/v1/evaluate/flags', '/sdk/v1/events']) {
      const res = await raw(path, `{"context":{"a":${nested(500)}}}`, LOCAL_KEYS.server);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).message, path).toContain(String(JSON_MAX_DEPTH));
    }
  });

  it('accepts JSON at the limit, and counts brackets inside strings as text', () => {
    expect(() => parseJson(nested(JSON_MAX_DEPTH))).not.toThrow();
    expect(() => parseJson(nested(JSON_MAX_DEPTH + 1))).toThrow(/deeper than 32/);
    const text = `{"a":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`;
    expect(parseJson(text)).toEqual({ a: `${'['.repeat(100)}"${'{'.repeat(100)}` });
    // Escaped quotes and runs of backslashes end (or do not end) a string as JSON says.
    for (const [json, depth] of [
      ['{"a":"\\\\"}', 1],
      ['[["\\\\\\"]"]]', 2],
      ['[{"a":[1,{"b":"}"}]}]', 4],
    ] as const) {
      expect(nestingDepth(json, 99), json).toBe(depth);
    }
  });
});

describe('prototype keys', () => {
  it.each([
    [
      '__proto__ in a variant value',
      '{"key":"proto-a","kind":"json","variants":{"on":{"__proto__":{"admin":true}},"off":null}}',
      '__proto__',
    ],
    ['__proto__ as a variant name', '{"key":"proto-b","kind":"json","variants":{"__proto__":1,"off":null}}', '__proto__'],
    ['an escaped __proto__', '{"key":"proto-c","kind":"json","variants":{"on":{"\\u005f_proto__":1},"off":null}}', '__proto__'],
    ['constructor', '{"key":"proto-d","kind":"json","variants":{"on":{"constructor":{"prototype":1}},"off":null}}', 'prototype'],
  ])('refuses %s with 400, and creates nothing', async (_, body, named) => {
    const res = await raw('/api/v1/flags', body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(named);
    expect(await flagExists(JSON.parse(body).key ?? 'none')).toBe(false);
  });

  it('refuses them in an evaluation context too', async () => {
    const res = await raw('/sdk/v1/evaluate', '{"context":{"targetingKey":"u","__proto__":{"plan":"enterprise"}}}', LOCAL_KEYS.client);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('__proto__');
  });
});

describe('flag links', () => {
  it.each(['javascript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'ftp://files.example'])(
    'refuses %s',
    async (link) => {
      const res = await call('/api/v1/flags', {
        method: 'POST',
        key: A,
        json: { key: 'linked', kind: 'boolean', owner: 'qa', links: [link] },
      });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toMatch(/links\.0: links must be http\(s\) URLs/);
      expect(await flagExists('linked')).toBe(false);
    },
  );

  it('keeps http and https links', async () => {
    const links = ['https://example.com/spec', 'http://wiki.internal/flag'];
    const res = await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'linked', kind: 'boolean', owner: 'qa', links } });
    expect(res.status).toBe(200);
    expect(((await (await call('/api/v1/flags/linked', { key: A })).json()) as { links: string[] }).links).toEqual(links);
  });
});

describe('cache headers of keyed routes, generated from the route table', () => {
  const ctx = JSON.stringify({ context: { targetingKey: 'u1', plan: 'free' } });
  /** A draft release plan and an open change request, so the detail routes have ids that exist. */
  let releaseId = '';
  let changeId = '';
  beforeAll(async () => {
    releaseId = (await createOk('ai-chatbot', 'development', { template: 'default', treatmentVariant: 'on', baselineVariant: 'off' })).id;
    const { version } = await configOf('ai-chatbot', 'development');
    const proposed = await call('/api/v1/environments/development/change-requests', {
      method: 'POST',
      key: A,
      json: { flag: 'ai-chatbot', config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, version },
    });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    changeId = ((await proposed.json()) as { id: string }).id;
  });
  /** How to call a route so it answers what its callers get (streams: only the headers are read). */
  async function request(method: string, path: string): Promise<Response> {
    const key = path.startsWith('/api/') ? A : LOCAL_KEYS.server;
    const sse = { Accept: 'text/event-stream' };
    if (path === '/ofrep/v1/events') {
      const bulk = (await (await raw('/ofrep/v1/evaluate/flags', ctx, key)).json()) as { eventStreams: { url: string }[] };
      const url = new URL(bulk.eventStreams[0]!.url);
      return call(`${url.pathname}${url.search}`, { headers: sse });
    }
    if (method === 'GET')
      return call(path.replace(':id', path.includes('/change-requests/') ? changeId : releaseId), { key, headers: sse });
    const bodies: Record<string, string> = {
      '/sdk/v1/events': JSON.stringify({ events: [{ flag: 'ai-chatbot', variant: 'on', contextKey: 'u1', at: Date.now() }] }),
      '/sdk/v1/metrics': JSON.stringify({ windowMs: 10_000, summaries: [] }),
    };
    const body = bodies[path] ?? ctx;
    return call(path, { method, key, headers: { 'Content-Type': 'application/json' }, body });
  }

  // Keyed reads (every SDK and OFREP route, every admin GET) and the SDK writes; admin writes
  // answer through the same /api middleware as admin reads.
  const routes = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))]
    .filter((id) => /^(GET|POST) \/(sdk|ofrep|api)\//.test(id) && !(id.startsWith('POST /api/') || id === 'GET /api/v1/openapi.json'))
    .map((id) => {
      const [method, pattern] = id.split(' ') as [string, string];
      return [id, method, pattern.replace(':env', 'development').replace(':key', 'ai-chatbot')] as const;
    });

  it('covers SDK, OFREP and admin routes', () => {
    expect(routes.map(([id]) => id)).toEqual(
      expect.arrayContaining(['GET /sdk/v1/snapshot', 'POST /sdk/v1/evaluate', 'GET /ofrep/v1/events']),
    );
  });

  it.each(routes)('%s is private or no-store, and an ETag varies by the key', async (_, method, path) => {
    const res = await request(method, path);
    await res.body?.cancel();
    expect(res.status, path).toBeLessThan(300);
    expect(res.headers.get('cache-control'), path).toMatch(/\b(private|no-store)\b/);
    const etag = res.headers.get('etag');
    if (etag) expect(res.headers.get('vary'), path).toMatch(/Authorization, X-API-Key/);
    // SDK revalidation: the 304 is as private as the answer it stands for.
    if (etag && !path.startsWith('/api/')) {
      const again = await call(path, {
        method,
        key: LOCAL_KEYS.server,
        headers: { 'If-None-Match': etag, 'Content-Type': 'application/json' },
        body: method === 'POST' ? ctx : undefined,
      });
      expect(again.status, path).toBe(304);
      expect(again.headers.get('cache-control'), path).toMatch(/\bprivate\b/);
      expect(again.headers.get('vary'), path).toMatch(/Authorization, X-API-Key/);
    }
  });

  it('answers /sdk/v1/snapshot private, revalidated by ETag', async () => {
    const res = await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('vary')).toBe('Authorization, X-API-Key');
  });

  it('keeps refusals private too', async () => {
    const res = await call('/sdk/v1/snapshot', { key: 'efs_unknownKey00000000000000000000000' });
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
