// The release plan API (docs/releases.md): validation, one live plan per flag, version guards,
// what starting writes, and the rules people meet while a plan is live (edits refused, the kill
// switch wins and pauses, rollback cannot be blocked).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { A, act, actOk, base, configOf, create, createOk, detail, newFlag, snapshotOf } from './release-helpers.ts';
import { call, seed } from './seed.ts';

const STAGES = [
  { percentage: 10, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
  { percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
];
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

beforeAll(async () => {
  await seed();
});

describe('creating a plan', () => {
  beforeAll(async () => {
    await newFlag('rel-create');
  });

  it('lists the templates, seed 001 and seed 003 among them', async () => {
    const res = await call('/api/v1/release-templates', { key: A });
    const { templates } = (await res.json()) as { templates: Record<string, { stages: { percentage: number; approval: string }[] }> };
    expect(templates['seed-001']?.stages.map((s) => s.percentage)).toEqual([5, 25, 50, 100]);
    expect(templates['seed-003']?.stages.map((s) => [s.percentage, s.approval])).toEqual([
      [1, 'manual'],
      [10, 'auto'],
      [25, 'manual'],
      [100, 'auto'],
    ]);
  });

  it.each([
    [
      'percentages not increasing',
      {
        stages: [
          { percentage: 50, minDurationSeconds: 0 },
          { percentage: 10, minDurationSeconds: 0 },
          { percentage: 100, minDurationSeconds: 0 },
        ],
      },
    ],
    [
      'a last stage below 100%',
      {
        stages: [
          { percentage: 10, minDurationSeconds: 0 },
          { percentage: 50, minDurationSeconds: 0 },
        ],
      },
    ],
    ['an unknown template', { template: 'yolo' }],
    ['an unknown field', { colour: 'red' }],
  ])('refuses %s with 400 invalid_request', async (_, body) => {
    const res = await create('rel-create', 'staging', body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_request');
  });

  it.each([
    ['an unknown treatment variant', { treatmentVariant: 'maybe' }, /treatmentVariant/],
    ['an unknown baseline variant', { baselineVariant: 'maybe' }, /baselineVariant/],
    ['treatment equal to baseline', { treatmentVariant: 'off', baselineVariant: 'off' }, /differ/],
  ])('refuses %s with 422 rule_violation', async (_, body, message) => {
    const res = await create('rel-create', 'staging', body);
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('rule_violation');
    expect(error.message).toMatch(message);
  });

  it('404s an unknown flag or environment', async () => {
    expect((await create('no-such-flag', 'staging', {})).status).toBe(404);
    expect((await create('rel-create', 'nowhere', {})).status).toBe(404);
  });

  it('seed 004: a release flag reaches production only with health checks in its plan', async () => {
    const bare = STAGES.map(({ checks: _, ...s }) => s);
    const refused = await create('rel-create', 'production', { stages: bare });
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).message).toMatch(/health checks/);
    // Staging takes it; production takes it with checks.
    expect((await create('rel-create', 'staging', { stages: bare })).status).toBe(200);
    expect((await create('rel-create', 'production', { stages: STAGES })).status).toBe(200);
  });

  it('defaults: the default template, treatment "on", baseline the off variant, a draft that changed no config', async () => {
    const before = await configOf('rel-create', 'development');
    const plan = await createOk('rel-create', 'development', {});
    expect(plan).toMatchObject({ status: 'draft', treatmentVariant: 'on', baselineVariant: 'off', currentStage: 0 });
    expect(plan.stages.map((s) => s.percentage)).toEqual([10, 50, 100]);
    expect(plan.settings).toEqual({
      alpha: 0.05,
      power: 0.8,
      detectRatio: 2,
      windowSeconds: 60,
      browserMetrics: false,
      perCallerShare: 0.1,
    });
    expect(await configOf('rel-create', 'development')).toEqual(before);
  });
});

describe('starting', () => {
  let id: string;
  beforeAll(async () => {
    await newFlag('rel-start', { bucketBy: 'accountId' });
    id = (await createOk('rel-start', 'staging', { stages: STAGES, settings: { windowSeconds: 1 } })).id;
  });

  it('needs the plan version (428), refuses a stale one (409) and changes nothing', async () => {
    const none = await act('rel-start', 'staging', id, 'start');
    expect(none.status).toBe(428);
    expect((await errorOf(none)).code).toBe('version_required');
    const stale = await act('rel-start', 'staging', id, 'start', { version: 99 });
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).code).toBe('version_conflict');
    expect((await detail('rel-start', 'staging', id)).plan.status).toBe('draft');
  });

  it('writes stage 1 as the engine: treatment first in a split bucketed like the config, the flag tracked', async () => {
    const started = await actOk('rel-start', 'staging', id, 'start');
    expect(started).toMatchObject({ status: 'running', currentStage: 0 });
    const config = await configOf('rel-start', 'staging');
    expect(config.enabled).toBe(true);
    expect(config.defaultServe).toEqual({
      split: [
        { variant: 'on', weight: 10 },
        { variant: 'off', weight: 90 },
      ],
    });
    expect((await snapshotOf('staging')).tracked).toContain('rel-start');
    const { results } = await env.DB.prepare(
      "SELECT actor, action, resource_type AS type FROM audit_log WHERE (resource_key = ? OR resource_key = 'rel-start') ORDER BY id",
    )
      .bind(id)
      .all<{ actor: string; action: string; type: string }>();
    expect(results.slice(-3)).toEqual([
      { actor: 'local admin (00000000-0000-4000-8000-000000000001)', action: 'release.created', type: 'release' },
      { actor: `release conductor (release:${id})`, action: 'flag.rollout', type: 'flag_config' },
      { actor: 'local admin (00000000-0000-4000-8000-000000000001)', action: 'release.started', type: 'release' },
    ]);
  });

  it('allows one live plan per flag and environment (409 release_in_progress)', async () => {
    const second = await create('rel-start', 'staging', { stages: STAGES });
    expect(second.status).toBe(409);
    expect((await errorOf(second)).code).toBe('release_in_progress');
  });

  it('lists it among the live releases, with its last decision', async () => {
    const res = await call('/api/v1/releases', { key: A });
    const { releases } = (await res.json()) as { releases: { id: string; lastDecision: { action: string } | null }[] };
    expect(releases.find((r) => r.id === id)?.lastDecision?.action).toBe('start');
    const list = (await (await call(base('rel-start', 'staging'), { key: A })).json()) as { releases: { id: string }[] };
    expect(list.releases.map((r) => r.id)).toContain(id);
  });
});
