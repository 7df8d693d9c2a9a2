import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const cfg = '/api/v1/flags/ai-chatbot/environments/development';
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

beforeAll(seed);

async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
  const before = await (await call(cfg, { key: A })).text();
  const auditBefore = await (await call('/api/v1/audit', { key: A })).text();
  const out = await fn();
  expect(await (await call(cfg, { key: A })).text()).toBe(before);
  expect(await (await call('/api/v1/audit', { key: A })).text()).toBe(auditBefore);
  return out;
}

const rule = (condition: unknown) => ({
  version: 1,
  enabled: true,
  offVariant: 'off',
  defaultServe: { variant: 'off' },
  rules: [{ conditions: [condition], serve: { variant: 'on' } }],
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  it('malformed JSON', async () => {
    const res = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, headers: { 'Content-Type': 'application/json' }, body: '{"enabled": tru' }),
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_json');
  });

  it('wrong types and unknown fields, with the path', async () => {
    const res = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, json: { ...rule({ attribute: 'plan', op: 'equals', values: ['free'] }), enabled: 'yes' } }),
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/enabled/);
    const extra = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, json: { ...rule({ attribute: 'plan', op: 'equals', values: ['free'] }), colour: 'red' } }),
    );
    expect((await errorOf(extra)).message).toMatch(/colour/);
  });

  it('an invalid regex, pointing at the value', async () => {
    const res = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, json: rule({ attribute: 'email', op: 'matches', values: ['(unclosed'] }) }),
    );
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/rules\.0\.conditions\.0\.values\.0.*does not compile/);
  });

  it('an unknown variant or segment is a rule violation (422)', async () => {
    const variant = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, json: { version: 1, enabled: true, offVariant: 'off', defaultServe: { variant: 'maybe' } } }),
    );
    expect(variant.status).toBe(422);
    expect(await errorOf(variant)).toMatchObject({ code: 'rule_violation', message: expect.stringMatching(/unknown variant "maybe"/) });
    const segment = await unchanged(() =>
      call(cfg, { method: 'PUT', key: A, json: rule({ attribute: 'targetingKey', op: 'inSegment', values: ['nobody'] }) }),
    );
    expect(segment.status).toBe(422);
    expect(await errorOf(segment)).toMatchObject({
      code: 'rule_violation',
      message: expect.stringMatching(/segment "nobody" does not exist/),
    });
  });

  it('weights that do not sum to 100%', async () => {
    const res = await unchanged(() =>
      call(cfg, {
        method: 'PUT',
        key: A,
        json: {
          version: 1,
          enabled: true,
          offVariant: 'off',
          defaultServe: {
            split: [
              { variant: 'on', weight: 60 },
              { variant: 'off', weight: 30 },
            ],
          },
        },
      }),
    );
    expect((await errorOf(res)).message).toMatch(/sum to 90%/);
  });

  it('unknown flag or environment → 404', async () => {
    expect(
      (await call('/api/v1/flags/nope/environments/development/toggle', { method: 'POST', key: A, json: { enabled: true } })).status,
    ).toBe(404);
    const env = await call('/api/v1/flags/ai-chatbot/environments/nowhere/toggle', { method: 'POST', key: A, json: { enabled: true } });
    expect(env.status).toBe(404);
    expect((await errorOf(env)).code).toBe('not_found');
  });

  it('oversized SDK bodies and contexts', async () => {
    const big = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: { blob: 'x'.repeat(40_000) } } });
    expect(big.status).toBe(413);
    expect((await errorOf(big)).code).toBe('payload_too_large');
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, i]));
    const wide = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: many } });
    expect(wide.status).toBe(400);
    expect((await errorOf(wide)).message).toMatch(/at most 100 attributes/);
    const nested = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context: { plan: { deep: true } } } });
    expect(nested.status).toBe(400);
  });

  it('a stream route opened as plain HTTP', async () => {
    const res = await call('/sdk/v1/stream', { key: LOCAL_KEYS.server });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('stream_required');
  });

  it('unknown routes answer with the same envelope', async () => {
    const res = await call('/api/v1/nothing-here', { key: A });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
  });
});
