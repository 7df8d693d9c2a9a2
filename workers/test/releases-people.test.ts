// People and the engine (issue 10 §2): edits of a flag under a live plan are refused, the kill
// switch wins and pauses the plan, rollback is a protective move nothing can block, and pause,
// resume, abort and reject do what docs/releases.md says.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/auth/secrets.ts';
import { A, act, actOk, base, configOf, createOk, detail, feed, newFlag, snapshotOf, tick, windowsAfter } from './release-helpers.ts';
import { call, seed } from './seed.ts';

const STAGES = [
  { percentage: 10, minDurationSeconds: 0, minSamples: 100, checks: { errorRate: { maxRatio: 2 } } },
  { percentage: 50, minDurationSeconds: 0, minSamples: 100, checks: { errorRate: { maxRatio: 2 } } },
  { percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
];
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error;
const cfg = (flag: string) => `/api/v1/flags/${flag}/environments/staging`;

async function running(flag: string) {
  await newFlag(flag, { bucketBy: 'accountId' });
  return createOk(flag, 'staging', { stages: STAGES, settings: { windowSeconds: 1 }, start: true });
}

/** One healthy window of the current stage, then the conductor's decision. */
async function healthyTick(flag: string, id: string) {
  const { plan } = await detail(flag, 'staging', id);
  const [at] = windowsAfter(plan.stageStartedAt!, 1, 1);
  const p = plan.stages[plan.currentStage]!.percentage;
  await feed('staging', flag, at!, { on: { count: p * 2000, errors: p * 20 }, off: { count: (100 - p) * 2000, errors: (100 - p) * 20 } });
  await tick('staging', flag);
}

beforeAll(async () => {
  await seed();
});

describe('edits of a flag under a live plan', () => {
  it('are refused 409 release_in_progress (config, rollout, switching on) and change nothing; allowed again once it ends', async () => {
    const plan = await running('rel-edit');
    const before = await configOf('rel-edit', 'staging');
    const attempts = [
      {
        method: 'PUT',
        path: cfg('rel-edit'),
        json: { version: before.version, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
      },
      { method: 'PUT', path: `${cfg('rel-edit')}/rollout`, json: { version: before.version, percentage: 100 } },
      { method: 'POST', path: `${cfg('rel-edit')}/toggle`, json: { version: before.version, enabled: true } },
    ];
    for (const attempt of attempts) {
      const res = await call(attempt.path, { method: attempt.method, key: A, json: attempt.json });
      expect(res.status, attempt.path).toBe(409);
      expect((await errorOf(res)).code).toBe('release_in_progress');
    }
    expect(await configOf('rel-edit', 'staging')).toEqual(before);
    await actOk('rel-edit', 'staging', plan.id, 'abort');
    const after = await call(`${cfg('rel-edit')}/rollout`, { method: 'PUT', key: A, json: { version: before.version, percentage: 30 } });
    expect(after.status).toBe(200);
  });
});

describe('flag edits that would pull a live plan’s variants or flag away', () => {
  it('are refused 409 (archive: in_use naming the release; variants, protective state: release_in_progress); metadata is fine', async () => {
    await running('rel-flag');
    const flag = async () => (await (await call('/api/v1/flags/rel-flag', { key: A })).json()) as { version: number };
    const { version } = await flag();
    const attempts = [
      {
        method: 'PATCH',
        path: '/api/v1/flags/rel-flag',
        json: { version, variants: { on: true, gone: false } },
        code: 'release_in_progress',
      },
      { method: 'PATCH', path: '/api/v1/flags/rel-flag', json: { version, protectiveState: 'on' }, code: 'release_in_progress' },
      // Archiving what something still uses is one rule for prerequisites, segments and releases (dependency-graph.ts).
      { method: 'DELETE', path: `/api/v1/flags/rel-flag?version=${version}`, code: 'in_use' },
    ];
    for (const attempt of attempts) {
      const res = await call(attempt.path, { method: attempt.method, key: A, json: attempt.json });
      expect(res.status, `${attempt.method} ${JSON.stringify(attempt.json)}`).toBe(409);
      expect((await errorOf(res)).code).toBe(attempt.code);
    }
    expect((await flag()).version).toBe(version);
    const owner = await call('/api/v1/flags/rel-flag', { method: 'PATCH', key: A, json: { version, owner: 'ravi' } });
    expect(owner.status).toBe(200);
  });
});

describe('the kill switch during a running plan', () => {
  it('wins (no version needed), pauses the plan, and the conductor stops deciding until resumed', async () => {
    const plan = await running('rel-kill');
    const kill = await call(`${cfg('rel-kill')}/toggle`, { method: 'POST', key: A, json: { enabled: false, reason: 'errors spiking' } });
    expect(kill.status).toBe(200);
    let state = await detail('rel-kill', 'staging', plan.id);
    expect(state.plan.status).toBe('paused');
    expect(state.decisions.at(-1)).toMatchObject({ action: 'pause', rule: 'kill_switch' });
    expect((await configOf('rel-kill', 'staging')).enabled).toBe(false);
    // Healthy data and a window later, nothing moves: the plan is paused.
    await healthyTick('rel-kill', plan.id);
    state = await detail('rel-kill', 'staging', plan.id);
    expect(state.plan).toMatchObject({ status: 'paused', currentStage: 0 });
    expect((await configOf('rel-kill', 'staging')).enabled).toBe(false);
    // Resume re-applies the stage (out of the kill switch) and the conductor continues.
    const resumed = await actOk('rel-kill', 'staging', plan.id, 'resume');
    expect(resumed.status).toBe('running');
    const config = await configOf('rel-kill', 'staging');
    expect(config.enabled).toBe(true);
    expect(config.defaultServe.split?.[0]).toEqual({ variant: 'on', weight: 10 });
    await healthyTick('rel-kill', plan.id);
    expect((await detail('rel-kill', 'staging', plan.id)).plan.currentStage).toBe(1);
  });

  it('is never undone by the engine: a step racing the switch leaves the flag off', async () => {
    const plan = await running('rel-race');
    const kill = await call(`${cfg('rel-race')}/toggle`, { method: 'POST', key: A, json: { enabled: false } });
    expect(kill.status).toBe(200);
    // As if the conductor read the plan before the pause landed: the plan still says running.
    await env.DB.prepare("UPDATE release_plans SET status = 'running' WHERE id = ?").bind(plan.id).run();
    await healthyTick('rel-race', plan.id);
    const config = await configOf('rel-race', 'staging');
    expect(config.enabled).toBe(false);
    expect(config.defaultServe.split?.[0]).toEqual({ variant: 'on', weight: 10 });
  });
});

describe('pause, abort, and version guards on people’s actions', () => {
  it('pause needs the version (428 / 409); a paused plan is not advanced; abort leaves the config as it is', async () => {
    const plan = await running('rel-pause');
    expect((await act('rel-pause', 'staging', plan.id, 'pause')).status).toBe(428);
    expect((await act('rel-pause', 'staging', plan.id, 'pause', { version: plan.version - 1 })).status).toBe(409);
    await actOk('rel-pause', 'staging', plan.id, 'pause');
    await healthyTick('rel-pause', plan.id);
    expect((await detail('rel-pause', 'staging', plan.id)).plan).toMatchObject({ status: 'paused', currentStage: 0 });
    const serving = (await configOf('rel-pause', 'staging')).defaultServe;
    const aborted = await actOk('rel-pause', 'staging', plan.id, 'abort');
    expect(aborted.status).toBe('aborted');
    expect((await configOf('rel-pause', 'staging')).defaultServe).toEqual(serving);
    expect((await snapshotOf('staging')).tracked ?? []).not.toContain('rel-pause');
    // An ended plan refuses further actions with 422.
    const again = await act('rel-pause', 'staging', plan.id, 'resume', { version: aborted.version });
    expect(again.status).toBe(422);
  });

  it('reject at a manual gate rolls the release back; approve is refused when nothing waits', async () => {
    await newFlag('rel-reject');
    const stages = STAGES.map((s, i) => ({ ...s, approval: i === 0 ? 'manual' : 'auto' }));
    const plan = await createOk('rel-reject', 'staging', { stages, settings: { windowSeconds: 1 }, start: true });
    const early = await act('rel-reject', 'staging', plan.id, 'approve', { version: plan.version });
    expect(early.status).toBe(422);
    await healthyTick('rel-reject', plan.id);
    const waiting = await detail('rel-reject', 'staging', plan.id);
    expect(waiting.plan.status).toBe('waiting_approval');
    expect(waiting.approval).toMatchObject({ status: 'pending', stage: 0 });
    const { plan: gated } = await detail('rel-reject', 'staging', plan.id);
    const res = await act('rel-reject', 'staging', plan.id, 'reject', { version: gated.version, reason: 'support tickets doubled' });
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await detail('rel-reject', 'staging', plan.id);
    expect(after.plan.status).toBe('rolled_back');
    expect(after.approval?.status).toBe('rejected');
    // The person's reason is on the timeline, not only in the audit log.
    expect(after.decisions.at(-1)).toMatchObject({
      action: 'reject',
      rule: 'manual_approval',
      evidence: { reason: 'support tickets doubled' },
    });
    expect((await configOf('rel-reject', 'staging')).defaultServe).toEqual({ variant: 'off' });
    // The flag list keeps showing how it ended for a day.
    const list = (await (await call('/api/v1/releases', { key: A })).json()) as { releases: { id: string; status: string }[] };
    expect(list.releases.find((r) => r.id === plan.id)?.status).toBe('rolled_back');
  });
});

describe('rollback cannot be blocked', () => {
  it('ignores a stale version, runs beside its own in-flight Idempotency-Key, and answers a second time without writing', async () => {
    const plan = await running('rel-rb');
    const path = `${base('rel-rb', 'staging')}/${plan.id}/rollback`;
    const body = { version: 1, reason: 'pager says so' }; // stale: the plan is at version 3
    // The same request's key claimed and unanswered (its first attempt still running, or dead).
    const hash = await sha256Hex(`POST\n${path}\n\n\n${JSON.stringify({ reason: body.reason, version: body.version })}`);
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (actor_id, key, method, path, request_hash, status, body, created_at) VALUES (?, 'rb-1', 'POST', ?, ?, 0, '', ?)",
    )
      .bind('00000000-0000-4000-8000-000000000001', path, hash, Date.now())
      .run();
    const res = await call(path, { method: 'POST', key: A, json: body, headers: { 'Idempotency-Key': 'rb-1' } });
    expect(res.status, await res.clone().text()).toBe(200);
    const answer = (await res.json()) as { plan: { status: string }; write: { config: { defaultServe: unknown }; delivery: string } };
    expect(answer.plan.status).toBe('rolled_back');
    expect(answer.write.config.defaultServe).toEqual({ variant: 'off' });
    expect(answer.write.delivery).toBe('delivered');
    // Again: the plan has ended; nothing is written twice.
    const again = await act('rel-rb', 'staging', plan.id, 'rollback', {});
    expect(again.status).toBe(200);
    expect(((await again.json()) as { write: unknown }).write).toBeNull();
    const audits = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'flag.rollback' AND resource_key = 'rel-rb'",
    ).first<{
      n: number;
    }>();
    expect(audits?.n).toBe(1);
  });

  it('goes through when the environment is over the snapshot size limit', async () => {
    const plan = await running('rel-big');
    await newFlag('rel-big-other');
    // A segment stored before the limit existed: 1.2 MB of keys (written straight to D1).
    const included = Array.from({ length: 60_000 }, (_, i) => `user-${String(i).padStart(12, '0')}`);
    await env.DB.prepare("INSERT INTO segments (environment, key, name, definition) VALUES ('staging', 'huge', 'huge', ?)")
      .bind(JSON.stringify({ included }))
      .run();
    try {
      // The limit is in force here: a write that grows the snapshot is refused.
      const other = await configOf('rel-big-other', 'staging');
      const grow = await call(cfg('rel-big-other'), {
        method: 'PUT',
        key: A,
        json: {
          version: other.version,
          enabled: true,
          offVariant: 'off',
          defaultServe: { variant: 'off' },
          targets: [{ variant: 'on', values: ['someone-new'] }],
        },
      });
      expect(grow.status, await grow.clone().text()).toBe(413);
      const res = await act('rel-big', 'staging', plan.id, 'rollback', { reason: 'bad' });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await configOf('rel-big', 'staging')).defaultServe).toEqual({ variant: 'off' });
    } finally {
      await env.DB.prepare("DELETE FROM segments WHERE environment = 'staging' AND key = 'huge'").run();
    }
  });
});
