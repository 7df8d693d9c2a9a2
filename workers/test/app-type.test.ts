import { exports } from 'cloudflare:workers';
import { hc, type InferResponseType } from 'hono/client';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../src/app.ts';
import type { ErrorCode } from '../src/errors.ts';
import { BASE, LOCAL_KEYS, seed } from './seed.ts';

const worker = (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default;
const client = hc<AppType>(BASE, {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new Request(input, init)),
  headers: { Authorization: `Bearer ${LOCAL_KEYS.admin}` },
});

beforeAll(seed);

// Scripts can use `hc<AppType>` with no code generation: paths, params and request bodies are
// typed from the routes themselves, and so are answers — each route declares its 200 response
// with a zod schema (workers/src/admin/responses.ts), the same one the OpenAPI document shows.
// Answers are a union over status codes: check `res.ok` (or the status) to get the 200 shape.
describe('typed client (hc<AppType>)', () => {
  it('lists flags and reads one flag in one environment through typed paths and typed answers', async () => {
    const list = await client.api.v1.flags.$get();
    if (!list.ok) throw new Error(`GET /flags answered ${list.status}`);
    const { flags } = await list.json();
    expectTypeOf(flags[0]!.key).toEqualTypeOf<string>();
    expectTypeOf<(typeof flags)[number]['environments'][string]['enabled']>().toEqualTypeOf<boolean>();
    expect(flags.map((f) => f.key)).toContain('new-pdf-engine');

    const config = await client.api.v1.flags[':key'].environments[':env'].$get({ param: { key: 'ai-chatbot', env: 'development' } });
    expect(config.status).toBe(200);
    if (config.status !== 200) return;
    const body = await config.json();
    expectTypeOf(body.version).toEqualTypeOf<number>();
    expectTypeOf(body.enabled).toEqualTypeOf<boolean>();
    expect(body).toMatchObject({ flagKey: 'ai-chatbot', environment: 'development', enabled: true });
    // @ts-expect-error the route needs both path parameters
    expectTypeOf(client.api.v1.flags[':key'].environments[':env'].$get).toBeCallableWith({ param: { key: 'ai-chatbot' } });
  });

  it('types answers per status: the 200 shape, or the error envelope', () => {
    type Flags = InferResponseType<typeof client.api.v1.flags.$get, 200>;
    expectTypeOf<Flags['flags'][number]['key']>().toEqualTypeOf<string>();
    expectTypeOf<Flags['flags'][number]['archivedAt']>().toEqualTypeOf<number | null>();
    type Keys = InferResponseType<(typeof client.api.v1)['sdk-keys']['$get'], 200>;
    expectTypeOf<keyof Keys['keys'][number]>().toEqualTypeOf<
      'id' | 'kind' | 'environment' | 'name' | 'hint' | 'createdAt' | 'revokedAt' | 'expiresAt' | 'replacedBy' | 'rateTier'
    >();
    type Created = InferResponseType<(typeof client.api.v1)['sdk-keys']['$post'], 200>;
    expectTypeOf<Created['secret']>().toEqualTypeOf<string>();
    type NotFound = InferResponseType<(typeof client.api.v1.flags)[':key']['$get'], 404>;
    // The closed set, so a client can switch on it.
    expectTypeOf<NotFound['error']['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('types request bodies, so a wrong field is a compile error', async () => {
    const res = await client.api.v1.flags[':key'].environments[':env'].toggle.$post({
      // Off is new-pdf-engine's protective state: the one switch that needs no version.
      param: { key: 'new-pdf-engine', env: 'development' },
      json: { enabled: false, reason: 'typed client' },
    });
    expect(res.status).toBe(200);
    if (!res.ok) return;
    const result = await res.json();
    expectTypeOf(result.delivered).toEqualTypeOf<number>();
    expectTypeOf(result.config.enabled).toEqualTypeOf<boolean>();
    expect(result).toMatchObject({ flag: 'new-pdf-engine', config: { enabled: false } });
    const toggle = client.api.v1.flags[':key'].environments[':env'].toggle.$post;
    expectTypeOf(toggle).toBeCallableWith({ param: { key: 'x', env: 'y' }, json: { enabled: true } });
    // @ts-expect-error `enabled` must be a boolean
    expectTypeOf(toggle).toBeCallableWith({ param: { key: 'x', env: 'y' }, json: { enabled: 'no' } });
  });
});
