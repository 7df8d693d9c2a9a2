// Change requests (issue 11 §6): in an environment that reviews flag changes a write becomes a
// request needing N approvals from people other than its author; an edit revokes approvals;
// applying re-checks the flag's version; the kill switch and release rollbacks bypass review
// (audited); an approved release plan's steps need no request; scheduled changes apply through
// the same path; promotion moves a configuration between environments as a reviewed diff.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScheduledChanges } from '../src/changes/scheduled-changes.ts';
import { A, configOf, createOk, newFlag } from './release-helpers.ts';
import { call, seed } from './seed.ts';

const ENV = 'staging';
const changes = `/api/v1/environments/${ENV}/change-requests`;
const cfg = (flag: string, environment = ENV) => `/api/v1/flags/${flag}/environments/${environment}`;
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

interface Change {
  id: string;
  status: string;
  version: number;
  revision: number;
  baseVersion: number;
  outcome: string | null;
}
let ana: string;
let ben: string;

async function token(name: string): Promise<string> {
  const res = await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name, role: 'editor' } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { secret: string }).secret;
}

async function review(requiredApprovals: number, environment = ENV) {
  const res = await call(`/api/v1/environments/${environment}/review`, { method: 'PUT', key: A, json: { requiredApprovals } });
  expect(res.status, await res.clone().text()).toBe(200);
}

const onFor = (version: number) => ({ enabled: true, offVariant: 'off', defaultServe: { variant: 'on' }, version });

async function propose(flag: string, body: Record<string, unknown> = {}, key = A): Promise<Change> {
  const current = await configOf(flag, ENV);
  const res = await call(changes, {
    method: 'POST',
    key,
    json: { flag, config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, version: current.version, ...body },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Change;
}

async function act(change: Change, action: string, key: string, extra: Record<string, unknown> = {}) {
  const current = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as { changeRequest: Change };
  return call(`${changes}/${change.id}/${action}`, { method: 'POST', key, json: { version: current.changeRequest.version, ...extra } });
}

async function actOkOn(change: Change, action: string, key: string) {
  const res = await act(change, action, key);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<Change & { changeRequest?: Change }>;
}

beforeAll(async () => {
  await seed();
  [ana, ben] = await Promise.all([token('ana'), token('ben')]);
  await review(2);
});

describe('a reviewed environment', () => {
  it('answers a direct config write 422 review_required naming where to propose it, and changes nothing', async () => {
    await newFlag('cr-direct');
    const before = await configOf('cr-direct', ENV);
    for (const [method, path, json] of [
      ['PUT', cfg('cr-direct'), onFor(before.version)],
      ['PUT', `${cfg('cr-direct')}/rollout`, { percentage: 10, version: before.version }],
      ['POST', `${cfg('cr-direct')}/toggle`, { enabled: true, version: before.version }],
    ] as const) {
      const res = await call(path, { method, key: A, json });
      expect(res.status, `${path} ${await res.clone().text()}`).toBe(422);
      const error = await errorOf(res);
      expect(error.code).toBe('review_required');
      expect(error.message).toContain(`/api/v1/environments/${ENV}/change-requests`);
    }
    expect(await configOf('cr-direct', ENV)).toEqual(before);
    // Other environments do not review: the same write applies at once there.
    const dev = await configOf('cr-direct', 'development');
    expect((await call(cfg('cr-direct', 'development'), { method: 'PUT', key: A, json: onFor(dev.version) })).status).toBe(200);
  });

  it('lets the kill switch through without a request, audited under the person who pulled it', async () => {
    await newFlag('cr-kill');
    const change = await propose('cr-kill');
    await actOkOn(change, 'approve', ana);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'apply', A);
    expect((await configOf('cr-kill', ENV)).enabled).toBe(true);
    const res = await call(`${cfg('cr-kill')}/toggle`, { method: 'POST', key: ana, json: { enabled: false, reason: 'incident 7' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await configOf('cr-kill', ENV)).enabled).toBe(false);
    const entry = await env.DB.prepare(
      "SELECT actor, reason FROM audit_log WHERE resource_key = 'cr-kill' AND action = 'flag.disable'",
    ).first<{
      actor: string;
      reason: string;
    }>();
    expect(entry?.reason).toBe('incident 7');
    expect(entry?.actor).toContain('ana');
  });
});

describe('approvals', () => {
  it('need N people other than the author: the author cannot approve, the same person twice counts once', async () => {
    await newFlag('cr-n');
    const change = await propose('cr-n', {}, ana);
    const own = await act(change, 'approve', ana);
    expect(own.status).toBe(422);
    expect((await errorOf(own)).message).toContain('author');
    await actOkOn(change, 'approve', ben);
    expect((await act(change, 'approve', ben)).status).toBe(422);
    const early = await act(change, 'apply', ana);
    expect(early.status).toBe(422);
    expect((await errorOf(early)).message).toContain('1 of 2');
    expect((await configOf('cr-n', ENV)).enabled).toBe(false);
    await actOkOn(change, 'approve', A);
    const applied = (await actOkOn(change, 'apply', ana)) as unknown as { changeRequest: Change; write: { config: { version: number } } };
    expect(applied.changeRequest.status).toBe('applied');
    expect((await configOf('cr-n', ENV)).enabled).toBe(true);
    const audit = await env.DB.prepare(
      "SELECT actor, reason FROM audit_log WHERE resource_key = 'cr-n' AND action = 'config.update'",
    ).first<{
      actor: string;
      reason: string;
    }>();
    expect(audit?.actor).toContain('ana');
    expect(audit?.reason).toContain(change.id);
  });

  it('are revoked by an edit: the new revision needs them again', async () => {
    await newFlag('cr-edit');
    const change = await propose('cr-edit', {}, ana);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'approve', A);
    const current = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as {
      changeRequest: Change;
      approvalsCounted: number;
    };
    expect(current.approvalsCounted).toBe(2);
    const edited = await call(`${changes}/${change.id}`, {
      method: 'PATCH',
      key: ana,
      json: { version: current.changeRequest.version, config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'off' } } },
    });
    expect(edited.status, await edited.clone().text()).toBe(200);
    const after = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as {
      changeRequest: Change;
      approvalsCounted: number;
      diff: { field: string }[];
    };
    expect(after.changeRequest.revision).toBe(2);
    expect(after.approvalsCounted).toBe(0);
    expect(after.diff.map((d) => d.field)).toEqual(['enabled']);
    expect((await act(change, 'apply', ana)).status).toBe(422);
    // Only the author edits: someone else's edit would make them a co-author approving their own work.
    const other = await call(`${changes}/${change.id}`, { method: 'PATCH', key: ben, json: { version: after.changeRequest.version } });
    expect(other.status).toBe(422);
  });

  it('do not survive a moved flag: apply re-checks the version and answers 409 version_conflict; a rebase needs them again', async () => {
    await newFlag('cr-moved');
    const change = await propose('cr-moved', {}, ana);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'approve', A);
    // Someone pulls the kill switch... then brings the flag back through a request: the flag's version moved.
    const other = await propose('cr-moved', { config: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' } } }, ben);
    await actOkOn(other, 'approve', ana);
    await actOkOn(other, 'approve', A);
    await actOkOn(other, 'apply', ben);
    const before = await configOf('cr-moved', ENV);
    const res = await act(change, 'apply', ana);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('version_conflict');
    expect(await configOf('cr-moved', ENV)).toEqual(before);
    const detail = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as { stale: boolean; changeRequest: Change };
    expect(detail.stale).toBe(true);
    expect(detail.changeRequest.status).toBe('open');
    // The author rebases onto the flag as it is now (a stale base is refused), and it needs approving again.
    const rebase = (baseVersion: number) =>
      call(`${changes}/${change.id}`, { method: 'PATCH', key: ana, json: { version: detail.changeRequest.version, baseVersion } });
    expect((await rebase(before.version - 1)).status).toBe(409);
    expect((await rebase(before.version)).status).toBe(200);
    expect((await act(change, 'apply', ana)).status).toBe(422);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'approve', A);
    await actOkOn(change, 'apply', ana);
    expect((await configOf('cr-moved', ENV)).enabled).toBe(true);
  });

  it('are refused from a person who rejected: a rejection closes the request', async () => {
    await newFlag('cr-reject');
    const change = await propose('cr-reject', {}, ana);
    const rejected = await actOkOn(change, 'reject', ben);
    expect(rejected.status).toBe('rejected');
    expect((await act(change, 'apply', ana)).status).toBe(422);
  });
});

describe('release plans', () => {
  it('an approved plan pre-authorises its steps; a start without approvals is refused; its rollback bypasses review (audited)', async () => {
    await review(0);
    await newFlag('cr-release', { bucketBy: 'accountId' });
    await review(2);
    const stages = [
      { percentage: 10, minDurationSeconds: 0, minSamples: 100, checks: { errorRate: { maxRatio: 2 } } },
      { percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
    ];
    const started = await call(`/api/v1/flags/cr-release/environments/${ENV}/releases`, {
      method: 'POST',
      key: A,
      json: { stages, settings: { windowSeconds: 1 }, start: true },
    });
    expect(started.status).toBe(422);
    expect((await errorOf(started)).code).toBe('review_required');
    expect(await env.DB.prepare("SELECT id FROM release_plans WHERE flag_key = 'cr-release'").first()).toBeNull();
    const draft = await createOk('cr-release', ENV, { stages, settings: { windowSeconds: 1 } });
    const rel = `/api/v1/flags/cr-release/environments/${ENV}/releases/${draft.id}`;
    const start = () => call(`${rel}/start`, { method: 'POST', key: A, json: { version: draft.version } });
    const early = await start();
    expect(early.status).toBe(422);
    expect((await errorOf(early)).code).toBe('review_required');
    const approve = (key: string) => call(`${rel}/approve`, { method: 'POST', key, json: { version: draft.version } });
    expect((await approve(A)).status).toBe(422); // its creator
    expect((await approve(ana)).status).toBe(200);
    expect((await start()).status).toBe(422); // 1 of 2
    expect((await approve(ben)).status).toBe(200);
    const running = await start();
    expect(running.status, await running.clone().text()).toBe(200);
    // The conductor's step wrote 10% without a change request.
    expect((await configOf('cr-release', ENV)).defaultServe).toMatchObject({ split: [{ variant: 'on', weight: 10 }, { variant: 'off' }] });
    const rolled = await call(`${rel}/rollback`, { method: 'POST', key: A, json: { reason: 'bad numbers' } });
    expect(rolled.status, await rolled.clone().text()).toBe(200);
    expect((await configOf('cr-release', ENV)).defaultServe).toEqual({ variant: 'off' });
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE resource_key = 'cr-release' AND action = 'flag.rollback'",
    ).first();
    expect(audit).not.toBeNull();
  });
});

describe('scheduled changes', () => {
  it('apply at their time once approved, through the same path; one the flag moved under fails with why', async () => {
    await newFlag('cr-later');
    const at = Date.now() + 60_000;
    const change = await propose('cr-later', { applyAt: at }, ana);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'approve', A);
    const early = await act(change, 'apply', ana);
    expect(early.status).toBe(422);
    expect((await runScheduledChanges(env, at - 1)).applied).not.toContain(change.id);
    expect((await configOf('cr-later', ENV)).enabled).toBe(false);
    expect((await runScheduledChanges(env, at)).applied).toContain(change.id);
    expect((await configOf('cr-later', ENV)).enabled).toBe(true);
    const audit = await env.DB.prepare("SELECT actor FROM audit_log WHERE resource_key = 'cr-later' AND action = 'config.update'").first<{
      actor: string;
    }>();
    expect(audit?.actor).toContain('scheduler');

    await newFlag('cr-later-moved');
    const moved = await propose('cr-later-moved', { applyAt: at }, ana);
    await actOkOn(moved, 'approve', ben);
    await actOkOn(moved, 'approve', A);
    const kill = await call(`${cfg('cr-later-moved')}/toggle`, { method: 'POST', key: A, json: { enabled: false } });
    expect(kill.status).toBe(200);
    // The kill switch on an off flag writes nothing: move it by another request instead.
    const bump = await propose('cr-later-moved', { config: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' } } }, ben);
    await actOkOn(bump, 'approve', ana);
    await actOkOn(bump, 'approve', A);
    await actOkOn(bump, 'apply', ben);
    expect((await runScheduledChanges(env, at + 1)).failed).toContain(moved.id);
    const detail = (await (await call(`${changes}/${moved.id}`, { key: A })).json()) as { changeRequest: Change };
    expect(detail.changeRequest.status).toBe('failed');
    expect(detail.changeRequest.outcome).toContain('version');
  });
});

describe('a scheduled change short of approvals', () => {
  it('waits open past its time, and applies at the first run after its last approval', async () => {
    await newFlag('cr-wait');
    const at = Date.now() + 60_000;
    const change = await propose('cr-wait', { applyAt: at }, ana);
    await actOkOn(change, 'approve', ben);
    const late = await runScheduledChanges(env, at + 1);
    expect(late.applied).not.toContain(change.id);
    expect(late.failed).not.toContain(change.id);
    const detail = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as { changeRequest: Change };
    expect(detail.changeRequest.status).toBe('open');
    await actOkOn(change, 'approve', A);
    expect((await runScheduledChanges(env, at + 2)).applied).toContain(change.id);
    expect((await configOf('cr-wait', ENV)).enabled).toBe(true);
  });

  it('is marked failed, with why, when it cannot apply at its time (here: the flag was archived meanwhile)', async () => {
    await newFlag('cr-gone');
    const at = Date.now() + 60_000;
    const change = await propose('cr-gone', { applyAt: at }, ana);
    await actOkOn(change, 'approve', ben);
    await actOkOn(change, 'approve', A);
    const flag = (await (await call('/api/v1/flags/cr-gone', { key: A })).json()) as { version: number };
    const archive = () => call('/api/v1/flags/cr-gone', { method: 'DELETE', key: A, headers: { 'If-Match': `"${flag.version}"` } });
    // Archiving changes what a reviewed environment serves: refused until an admin lifts the review.
    expect((await archive()).status).toBe(422);
    await review(0);
    expect((await archive()).status).toBe(200);
    await review(2);
    expect((await runScheduledChanges(env, at)).failed).toContain(change.id);
    const detail = await env.DB.prepare('SELECT status, outcome FROM change_requests WHERE id = ?')
      .bind(change.id)
      .first<{ status: string; outcome: string }>();
    expect(detail?.status).toBe('failed');
    expect(detail?.outcome).toContain('not found');
  });
});

describe('a proposal a policy refuses', () => {
  it('is refused at once (422 naming the rule), not after its review', async () => {
    const created = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      json: {
        key: 'cr-permission',
        kind: 'boolean',
        variants: { on: true, off: false },
        offVariant: 'off',
        type: 'permission',
        owner: 'qa',
      },
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const current = await configOf('cr-permission', ENV);
    const split = {
      split: [
        { variant: 'on', weight: 50 },
        { variant: 'off', weight: 50 },
      ],
    };
    const res = await call(changes, {
      method: 'POST',
      key: ana,
      json: { flag: 'cr-permission', config: { enabled: true, offVariant: 'off', defaultServe: split }, version: current.version },
    });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).message).toContain('percentage');
    expect(await env.DB.prepare("SELECT id FROM change_requests WHERE flag_key = 'cr-permission'").first()).toBeNull();
  });
});

describe('promotion', () => {
  it('previews the diff, applies as a guarded write, and becomes a change request where the target reviews', async () => {
    await newFlag('cr-promote');
    const dev = await configOf('cr-promote', 'development');
    const rules = [{ id: 'pro', conditions: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variant: 'on' } }];
    expect((await call(cfg('cr-promote', 'development'), { method: 'PUT', key: A, json: { ...onFor(dev.version), rules } })).status).toBe(
      200,
    );
    const prod = await configOf('cr-promote', 'production');
    const preview = await call(`${cfg('cr-promote', 'production')}/promote`, { method: 'POST', key: A, json: { from: 'development' } });
    expect(preview.status, await preview.clone().text()).toBe(200);
    const body = (await preview.json()) as { outcome: string; diff: { field: string }[] };
    expect(body.outcome).toBe('preview');
    expect(body.diff.map((d) => d.field).sort()).toEqual(['defaultServe', 'enabled', 'rules']);
    expect(await configOf('cr-promote', 'production')).toEqual(prod);
    const unguarded = await call(`${cfg('cr-promote', 'production')}/promote`, {
      method: 'POST',
      key: A,
      json: { from: 'development', apply: true },
    });
    expect(unguarded.status).toBe(428);
    const applied = await call(`${cfg('cr-promote', 'production')}/promote`, {
      method: 'POST',
      key: A,
      json: { from: 'development', apply: true, version: prod.version },
    });
    expect(applied.status, await applied.clone().text()).toBe(200);
    expect(((await applied.json()) as { outcome: string }).outcome).toBe('applied');
    expect(((await configOf('cr-promote', 'production')) as unknown as { rules: unknown }).rules).toEqual(rules);

    const staging = await configOf('cr-promote', ENV);
    const proposed = await call(`${cfg('cr-promote')}/promote`, {
      method: 'POST',
      key: ana,
      json: { from: 'production', apply: true, version: staging.version },
    });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const answer = (await proposed.json()) as { outcome: string; changeRequest: Change };
    expect(answer.outcome).toBe('proposed');
    expect(answer.changeRequest.status).toBe('open');
    expect(await configOf('cr-promote', ENV)).toEqual(staging);
  });
});
