// Review coverage generated from the route table (issue 11 §6): every admin write that can change
// what an environment serves is, in an environment that reviews writes, either refused with 422
// review_required (and changes nothing) or on EXCEPTIONS with the reason it may go unreviewed.
// A new write route that is on neither list fails here, so it cannot silently bypass review.
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app.ts';
import { policyOf } from '../src/auth/route-policy.ts';
import { A, configOf, newFlag } from './release-helpers.ts';
import { call, seed } from './seed.ts';

const ENV = 'production';
const FLAG = 'review-banner';
const flagPath = `/api/v1/flags/${FLAG}`;
const cfgPath = `${flagPath}/environments/${ENV}`;
const SEGMENT = `/api/v1/environments/${ENV}/segments/vip`;

/** Routes that may change what an environment serves, and why each may go without review. */
const EXCEPTIONS: Record<string, string> = {
  'POST /api/v1/flags': 'a new flag is off in every environment',
  'POST /api/v1/flags/:key/revert': 'restores metadata only (never variants, visibility or the protective state)',
  'POST /api/v1/flags/:key/environments/:env/toggle':
    'into the protective state: the kill switch (out of it, switching on here, is refused below)',
  'DELETE /api/v1/environments/:env/segments/:segment': 'a segment a live rule names cannot be deleted (409 in_use)',
  'POST /api/v1/environments/:env/change-requests': 'proposes: the review itself',
  'PATCH /api/v1/environments/:env/change-requests/:id': 'a new revision: approvals revoked',
  'POST /api/v1/environments/:env/change-requests/:id/apply': 'needs the approvals',
  'POST /api/v1/environments/:env/change-requests/:id/approve': 'the review itself (not its author)',
  'POST /api/v1/environments/:env/change-requests/:id/reject': 'closes a request',
  'POST /api/v1/environments/:env/change-requests/:id/cancel': 'closes a request',
  'POST /api/v1/flags/:key/environments/:env/promote': 'in a reviewed target it proposes a change request',
  'POST /api/v1/flags/:key/environments/:env/releases': 'the plan is reviewed: start needs the approvals (plan-approval.ts)',
  'POST /api/v1/flags/:key/environments/:env/releases/:id/rollback': 'a rollback: protective',
};
/** Release actions: the plan is what gets reviewed (start refused without approvals, releases-review.test). */
const RELEASE_ACTION = /^POST \/api\/v1\/flags\/:key\/environments\/:env\/releases\/:id\/[a-z]+$/;

interface Attempt {
  method: string;
  path: string;
  json?: (version: number) => Record<string, unknown>;
  headers?: Record<string, string>;
  /** The version the write is guarded by. */
  version: () => Promise<number>;
}
const flagVersion = async () => ((await (await call(flagPath, { key: A })).json()) as { version: number }).version;
const configVersion = async () => (await configOf(FLAG, ENV)).version;
const segmentVersion = async () =>
  (
    (await (await call(`/api/v1/environments/${ENV}/segments`, { key: A })).json()) as { segments: { key: string; version: number }[] }
  ).segments.find((s) => s.key === 'vip')?.version ?? 0;

/** Each refused write, by route: bodies that would succeed if the environment did not review. */
const ATTEMPTS: Record<string, Attempt[]> = {
  'PATCH /api/v1/flags/:key': [
    { method: 'PATCH', path: flagPath, version: flagVersion, json: (version) => ({ variants: { plain: 'HACKED', off: '' }, version }) },
    { method: 'PATCH', path: flagPath, version: flagVersion, json: (version) => ({ clientVisible: true, version }) },
    // Then "toggle on" would be the unreviewed protective move.
    { method: 'PATCH', path: flagPath, version: flagVersion, json: (version) => ({ protectiveState: 'on', version }) },
  ],
  'DELETE /api/v1/flags/:key': [{ method: 'DELETE', path: flagPath, version: flagVersion, headers: {} }],
  'POST /api/v1/flags/:key/restore': [
    { method: 'POST', path: '/api/v1/flags/review-gone/restore', version: async () => archivedVersion, json: (version) => ({ version }) },
  ],
  'PUT /api/v1/flags/:key/environments/:env': [
    {
      method: 'PUT',
      path: cfgPath,
      version: configVersion,
      json: (version) => ({ enabled: true, offVariant: 'off', defaultServe: { variant: 'off' }, version }),
    },
  ],
  'POST /api/v1/flags/:key/environments/:env/toggle': [
    { method: 'POST', path: `${cfgPath}/toggle`, version: configVersion, json: (version) => ({ enabled: true, version }) },
  ],
  'PUT /api/v1/flags/:key/environments/:env/rollout': [
    { method: 'PUT', path: `${cfgPath}/rollout`, version: configVersion, json: (version) => ({ percentage: 50, version }) },
  ],
  'POST /api/v1/flags/:key/environments/:env/revert': [
    { method: 'POST', path: `${cfgPath}/revert`, version: configVersion, json: (version) => ({ toVersion: 2, version }) },
  ],
  'PUT /api/v1/environments/:env/segments/:segment': [
    { method: 'PUT', path: SEGMENT, version: segmentVersion, json: (version) => ({ included: ['u1', 'intruder'], version }) },
  ],
};

let archivedVersion = 0;

/** Write routes whose effect says they may change what an environment serves. */
function servingRoutes(): string[] {
  const ids = new Set<string>();
  for (const r of app.routes) {
    const effect = policyOf(r.handler);
    if (effect === 'environment' || effect === 'all-environments' || effect === 'flag-fields') ids.add(`${r.method} ${r.path}`);
  }
  return [...ids];
}

async function state() {
  const [flag, config, segments, gone] = await Promise.all(
    [flagPath, cfgPath, `/api/v1/environments/${ENV}/segments`, '/api/v1/flags/review-gone'].map(async (p) =>
      (await call(p, { key: A })).text(),
    ),
  );
  return { flag, config, segments, gone };
}

beforeAll(async () => {
  await seed();
  const created = await call('/api/v1/flags', {
    method: 'POST',
    key: A,
    json: {
      key: FLAG,
      kind: 'string',
      type: 'ops',
      protectiveState: 'off',
      owner: 'qa',
      variants: { plain: 'Welcome', off: '' },
      offVariant: 'off',
    },
  });
  expect(created.status, await created.clone().text()).toBe(200);
  const seg = await call(SEGMENT, { method: 'PUT', key: A, headers: { 'If-None-Match': '*' }, json: { included: ['u1'] } });
  expect(seg.status, await seg.clone().text()).toBe(200);
  const rules = [{ conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: ['vip'] }], serve: { variant: 'plain' } }];
  const put = await call(cfgPath, {
    method: 'PUT',
    key: A,
    json: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' }, rules, version: await configVersion() },
  });
  expect(put.status, await put.clone().text()).toBe(200);
  await newFlag('review-gone');
  const del = await call(`/api/v1/flags/review-gone?version=1`, { method: 'DELETE', key: A });
  expect(del.status, await del.clone().text()).toBe(200);
  archivedVersion = 2;
  const review = await call(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
  expect(review.status, await review.clone().text()).toBe(200);
});

describe('every write that changes what a reviewed environment serves', () => {
  it('is refused below or is an explained exception (a new route must choose)', () => {
    const unexplained = servingRoutes().filter((id) => !ATTEMPTS[id] && !EXCEPTIONS[id] && !RELEASE_ACTION.test(id));
    expect(unexplained).toEqual([]);
    expect(Object.keys(ATTEMPTS).every((id) => servingRoutes().includes(id))).toBe(true);
  });

  for (const [id, attempts] of Object.entries(ATTEMPTS)) {
    for (const attempt of attempts) {
      it(`${id} ${attempt.json ? JSON.stringify(attempt.json(0)) : ''} → 422 review_required, nothing changed`, async () => {
        const before = await state();
        const version = await attempt.version();
        const path = attempt.method === 'DELETE' ? `${attempt.path}?version=${version}` : attempt.path;
        const res = await call(path, { method: attempt.method, key: A, headers: attempt.headers, json: attempt.json?.(version) });
        expect(res.status, await res.clone().text()).toBe(422);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('review_required');
        expect(await state()).toEqual(before);
      });
    }
  }

  it('lets metadata edits, a new unused segment and an unused segment’s edits through', async () => {
    const owner = await call(flagPath, { method: 'PATCH', key: A, json: { owner: 'growth', version: await flagVersion() } });
    expect(owner.status, await owner.clone().text()).toBe(200);
    const fresh = `/api/v1/environments/${ENV}/segments/vip-next`;
    const created = await call(fresh, { method: 'PUT', key: A, headers: { 'If-None-Match': '*' }, json: { included: ['u2'] } });
    expect(created.status, await created.clone().text()).toBe(200);
    const edited = await call(fresh, { method: 'PUT', key: A, json: { included: ['u2', 'u3'], version: 1 } });
    expect(edited.status, await edited.clone().text()).toBe(200);
  });
});

describe('a change request proposed before its environment asked for review', () => {
  it('needs the approvals the environment asks for now (the scheduler asks the same, approvalsNeeded)', async () => {
    const staging = `/api/v1/environments/staging/change-requests`;
    const current = await configOf(FLAG, 'staging');
    const body = { flag: FLAG, config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'plain' } }, version: current.version };
    const proposed = await call(staging, { method: 'POST', key: A, json: body });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const change = (await proposed.json()) as { id: string; version: number; requiredApprovals: number };
    expect(change.requiredApprovals).toBe(0);
    const review = await call('/api/v1/environments/staging/review', { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
    expect(review.status).toBe(200);
    const applied = await call(`${staging}/${change.id}/apply`, { method: 'POST', key: A, json: { version: change.version } });
    expect(applied.status, await applied.clone().text()).toBe(422);
    expect((await configOf(FLAG, 'staging')).enabled).toBe(false);
  });
});

describe('an approval whose giver lost their access', () => {
  it('stops counting: an unowned token revoked after approving leaves the request short', async () => {
    const made = await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'reviewer', role: 'editor' } });
    expect(made.status).toBe(200);
    const reviewer = (await made.json()) as { id: string; secret: string };
    const staging = `/api/v1/environments/staging/change-requests`;
    const current = await configOf(FLAG, 'staging');
    const body = { flag: FLAG, config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'plain' } }, version: current.version };
    const proposed = await call(staging, { method: 'POST', key: A, json: body });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const { id, version } = (await proposed.json()) as { id: string; version: number };
    const approved = await call(`${staging}/${id}/approve`, { method: 'POST', key: reviewer.secret, json: { version } });
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect((await call(`/api/v1/admin-tokens/${reviewer.id}`, { method: 'DELETE', key: A })).status).toBe(200);
    const applied = await call(`${staging}/${id}/apply`, { method: 'POST', key: A, json: { version: version + 1 } });
    expect(applied.status, await applied.clone().text()).toBe(422);
    expect((await configOf(FLAG, 'staging')).enabled).toBe(false);
  });
});

describe('a release plan stopped by the kill switch', () => {
  it('does not resume in a reviewed environment (it would switch the flag back on unreviewed)', async () => {
    await call('/api/v1/environments/staging/review', { method: 'PUT', key: A, json: { requiredApprovals: 0 } });
    await newFlag('review-plan');
    const cfg = '/api/v1/flags/review-plan/environments/staging';
    const current = await configOf('review-plan', 'staging');
    const put = await call(cfg, {
      method: 'PUT',
      key: A,
      json: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' }, bucketBy: 'accountId', version: current.version },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const checks = { errorRate: { maxRatio: 2 } };
    const stages = [
      { percentage: 50, minDurationSeconds: 3600, checks },
      { percentage: 100, minDurationSeconds: 0, checks },
    ];
    const created = await call(`${cfg}/releases`, {
      method: 'POST',
      key: A,
      json: { stages, settings: { windowSeconds: 1 }, start: true },
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const { id } = ((await created.json()) as { plan: { id: string } }).plan;
    await call('/api/v1/environments/staging/review', { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
    const kill = await call(`${cfg}/toggle`, { method: 'POST', key: A, json: { enabled: false } });
    expect(kill.status, await kill.clone().text()).toBe(200);
    const plan = (await (await call(`${cfg}/releases/${id}`, { key: A })).json()) as { plan: { status: string; version: number } };
    expect(plan.plan.status).toBe('paused');
    const resumed = await call(`${cfg}/releases/${id}/resume`, { method: 'POST', key: A, json: { version: plan.plan.version } });
    expect(resumed.status, await resumed.clone().text()).toBe(422);
    expect(((await resumed.json()) as { error: { code: string } }).error.code).toBe('review_required');
    expect((await configOf('review-plan', 'staging')).enabled).toBe(false);
  });
});
