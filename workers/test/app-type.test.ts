import { exports } from 'cloudflare:workers';
import { hc } from 'hono/client';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../src/app.ts';
import { BASE, LOCAL_KEYS, seed } from './seed.ts';

const worker = (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default;
const client = hc<AppType>(BASE, {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new Request(input, init)),
  headers: { Authorization: `Bearer ${LOCAL_KEYS.admin}` },
});

beforeAll(seed);

// Scripts can use `hc<AppType>` with no code generation: paths, params and request bodies are
// typed from the routes themselves. Answers are typed as JSON (the routes document their 200s as
// free-form JSON for now), so callers still narrow them.
describe('typed client (hc<AppType>)', () => {
  it('lists flags and reads one flag in one environment through typed paths', async () => {
    const list = await client.api.v1.flags.$get();
    const { flags } = (await list.json()) as { flags: { key: string }[] };
    expect(flags.map((f) => f.key)).toContain('new-pdf-engine');

    const config = await client.api.v1.flags[':key'].environments[':env'].$get({ param: { key: 'ai-chatbot', env: 'development' } });
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({ flagKey: 'ai-chatbot', environment: 'development', enabled: true });
    // @ts-expect-error the route needs both path parameters
    expectTypeOf(client.api.v1.flags[':key'].environments[':env'].$get).toBeCallableWith({ param: { key: 'ai-chatbot' } });
  });

  it('types request bodies, so a wrong field is a compile error', async () => {
    const res = await client.api.v1.flags[':key'].environments[':env'].toggle.$post({
      param: { key: 'maintenance-mode', env: 'development' },
      json: { enabled: false, reason: 'typed client' },
    });
    expect(res.status).toBe(200);
    const toggle = client.api.v1.flags[':key'].environments[':env'].toggle.$post;
    expectTypeOf(toggle).toBeCallableWith({ param: { key: 'x', env: 'y' }, json: { enabled: true } });
    // @ts-expect-error `enabled` must be a boolean
    expectTypeOf(toggle).toBeCallableWith({ param: { key: 'x', env: 'y' }, json: { enabled: 'no' } });
  });
});
