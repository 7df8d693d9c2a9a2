import { env } from 'cloudflare:test';
import type { z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import * as R from '../src/admin/responses.ts';
import { Actor, FlagEnvironmentConfig } from '../src/admin/row-schemas.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const cfg = '/flags/new-pdf-engine/environments/development';

/**
 * Calls an admin route and parses its answer with the route's response schema. Parsing throws on
 * a missing or mistyped field; comparing with the raw answer catches fields the schema does not
 * document (zod strips them). So a handler and its schema cannot drift apart unnoticed.
 */
async function answer<T extends z.ZodType>(schema: T, path: string, init: Parameters<typeof call>[1] = {}): Promise<z.output<T>> {
  const res = await call(`/api/v1${path}`, { key: A, ...init });
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const parsed = schema.parse(body);
  expect(parsed).toStrictEqual(body);
  return parsed;
}

beforeAll(async () => {
  await seed();
  // What the queue consumer would have written from SDK events, so insights have rows to show.
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO exposure_counts (environment, flag_key, variant, hour, count) VALUES ('development', 'new-pdf-engine', 'on', ?, 3)`,
    ).bind(hour),
    env.DB.prepare(`INSERT INTO recent_contexts (environment, context_key, context, seen_at) VALUES ('development', 'acct-1', ?, ?)`).bind(
      JSON.stringify({ targetingKey: 'u1', accountId: 'acct-1', plan: 'pro', beta: true }),
      Date.now(),
    ),
  ]);
});

describe('admin answers match their response schemas', () => {
  it('flags: list, detail, create, patch, archive', async () => {
    const { flags } = await answer(R.FlagList, '/flags');
    expect(flags.find((f) => f.key === 'new-pdf-engine')?.environments.development).toMatchObject({ rules: expect.any(Number) });
    const detail = await answer(R.FlagDetail, '/flags/new-pdf-engine');
    expect(Object.keys(detail.environments).sort()).toEqual(['development', 'production', 'staging']);

    const created = await answer(R.FlagCreated, '/flags', {
      method: 'POST',
      json: { key: 'checkout-v2', kind: 'string', owner: 'qa', variants: { old: 'v1', new: 'v2' }, offVariant: 'old', tags: ['checkout'] },
    });
    expect(created).toMatchObject({ version: 1, offVariant: 'old', archivedAt: null, environments: expect.arrayContaining(['staging']) });
    const patched = await answer(R.FlagWritten, '/flags/checkout-v2', { method: 'PATCH', json: { owner: 'payments', version: 1 } });
    expect(patched).toMatchObject({ owner: 'payments', version: 2 });
    // The answer is what was stored, `updatedAt` included (it used to echo the previous one).
    expect((await answer(R.FlagDetail, '/flags/checkout-v2')).updatedAt).toBe(patched.updatedAt);
    expect(await answer(R.FlagArchived, `/flags/checkout-v2?version=${patched.version}`, { method: 'DELETE' })).toMatchObject({
      key: 'checkout-v2',
      archived: true,
    });
  });

  it('targeting: config, its writes and their impact', async () => {
    const config = await answer(FlagEnvironmentConfig, cfg);
    const { flagKey: _f, environment: _e, salt: _s, updatedAt: _u, ...body } = config;
    const put = await answer(R.ConfigWriteResult, cfg, { method: 'PUT', json: body });
    expect(put.config.version).toBe(config.version + 1);
    const toggled = await answer(R.ConfigWriteResult, `${cfg}/toggle`, {
      method: 'POST',
      json: { enabled: true, version: put.config.version },
    });
    expect(toggled).toMatchObject({ flag: 'new-pdf-engine', environment: 'development', config: { enabled: true } });
    await answer(R.ConfigWriteResult, `${cfg}/rollout`, { method: 'PUT', json: { percentage: 50, version: toggled.config.version } });
    const impact = await answer(R.Impact, `${cfg}/impact`, {
      method: 'POST',
      json: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' } },
    });
    expect(impact.sampled).toBe(1);
  });

  it('environments, hub, evaluation and segments', async () => {
    expect((await answer(R.EnvironmentList, '/environments')).environments.map((e) => e.key)).toContain('production');
    await answer(R.EnvironmentCreated, '/environments', { method: 'POST', json: { key: 'qa', name: 'QA' } });
    await answer(R.HubStats, '/environments/development/hub');
    const evaluation = await answer(R.ContextEvaluation, '/environments/development/evaluate', {
      method: 'POST',
      json: { context: { targetingKey: 'u1' } },
    });
    expect(evaluation.results['new-pdf-engine']?.key).toBe('new-pdf-engine');

    const segment = { name: 'Pilots', included: ['u1'], rules: [[{ attribute: 'plan', op: 'equals' as const, values: ['pro'] }]] };
    const create = { 'If-None-Match': '*' };
    await answer(R.SegmentSaved, '/environments/staging/segments/pilots', { method: 'PUT', headers: create, json: segment });
    expect((await answer(R.SegmentList, '/environments/staging/segments')).segments).toHaveLength(1);
    await answer(R.SegmentDeleted, '/environments/staging/segments/pilots?version=1', { method: 'DELETE' });
  });

  it('SDK keys and admin tokens never show a hash, and a secret only at creation', async () => {
    const key = await answer(R.SdkKeyCreated, '/sdk-keys', {
      method: 'POST',
      json: { kind: 'client', environment: 'staging', name: 'web' },
    });
    expect(key.secret).toMatch(/^efc_/);
    const { keys } = await answer(R.SdkKeyList, '/sdk-keys');
    expect(keys.flatMap((k) => Object.keys(k))).not.toContain('hash');
    expect(keys.flatMap((k) => Object.keys(k))).not.toContain('secret');
    const rotated = await answer(R.SdkKeyRotated, `/sdk-keys/${key.id}/rotate`, { method: 'POST', json: { overlapSeconds: 60 } });
    expect(rotated.replaced).toMatchObject({ id: key.id, replacedBy: rotated.id });
    expect((await answer(R.SdkKeyRevoked, `/sdk-keys/${key.id}`, { method: 'DELETE' })).revokedAt).toEqual(expect.any(Number));

    const token = await answer(R.AdminTokenCreated, '/admin-tokens', { method: 'POST', json: { name: 'ci', role: 'viewer' } });
    expect(token.secret).toMatch(/^efa_/);
    const { tokens } = await answer(R.AdminTokenList, '/admin-tokens');
    expect(tokens.flatMap((t) => Object.keys(t))).not.toContain('hash');
    const rotatedToken = await answer(R.AdminTokenRotated, `/admin-tokens/${token.id}/rotate`, {
      method: 'POST',
      json: { overlapSeconds: 0 },
    });
    expect(rotatedToken.secret).toMatch(/^efa_/);
    expect(await answer(R.AdminTokenRevoked, `/admin-tokens/${rotatedToken.id}`, { method: 'DELETE' })).toMatchObject({ streamsClosed: 0 });
  });

  it('audit, caller, exposures and contexts', async () => {
    const { entries } = await answer(R.AuditPage, '/audit?limit=500');
    expect(new Set(entries.map((e) => e.resourceType))).toEqual(
      new Set(['flag', 'flag_config', 'environment', 'segment', 'sdk_key', 'admin_token']),
    );
    expect(await answer(Actor, '/me')).toMatchObject({ name: 'local admin', role: 'admin' });
    const exposures = await answer(R.Exposures, '/environments/development/exposures');
    expect(exposures.flags['new-pdf-engine']).toEqual({ on: 3 });
    expect((await answer(R.RecentContexts, '/environments/development/contexts')).contexts[0]?.contextKey).toBe('acct-1');
  });
});
