import { describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

describe('smoke', () => {
  it('serves the seeded flags to a client key', async () => {
    await seed();
    const res = await call('/sdk/v1/evaluate', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { plan: 'free', country: 'US', targetingKey: 'u' } },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { flags: Record<string, { value: unknown }> };
    expect(body.flags['ai-chatbot']?.value).toBe(true);
  });

  it('sends admin responses with security headers and no caching', async () => {
    const res = await call('/api/v1/me', { key: LOCAL_KEYS.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
