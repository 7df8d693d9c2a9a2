// Issue 11 §2: each flag type's policy, per rule, as three generated cases: a write the rule
// refuses (422 rule_violation naming the rule, nothing changes), the compliant write it allows,
// and the emergency or pre-existing case it never blocks (protective moves, rollbacks, edits that
// do not touch what the rule is about, flags made before the rule).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { act, createOk as createPlan } from './release-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const flagUrl = (key: string) => `/api/v1/flags/${key}`;
const cfgUrl = (key: string, environment: string) => `/api/v1/flags/${key}/environments/${environment}`;

const create = (body: Json) => call('/api/v1/flags', { method: 'POST', key: A, json: body });
async function createOk(body: Json): Promise<void> {
  const res = await create(body);
  expect(res.status, await res.clone().text()).toBe(200);
}
async function patch(key: string, body: Json): Promise<Response> {
  const { version } = await json(await call(flagUrl(key), { key: A }));
  return call(flagUrl(key), { method: 'PATCH', key: A, json: { version, ...body } });
}
async function putConfig(key: string, environment: string, change: Json): Promise<Response> {
  const c = await json(await call(cfgUrl(key, environment), { key: A }));
  const { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy, version } = c;
  const current = { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy, version };
  return call(cfgUrl(key, environment), { method: 'PUT', key: A, json: { ...current, ...change } });
}
async function rollout(key: string, environment: string, percentage: number): Promise<Response> {
  const { version } = await json(await call(cfgUrl(key, environment), { key: A }));
  return call(`${cfgUrl(key, environment)}/rollout`, { method: 'PUT', key: A, json: { version, percentage } });
}
/** Into the protective state: no version, the emergency move. */
const protect = (key: string, environment: string, enabled: boolean) =>
  call(`${cfgUrl(key, environment)}/toggle`, { method: 'POST', key: A, json: { enabled, reason: 'incident' } });
/** A flag stored before the policies existed: written straight to D1, as an older release would have. */
async function legacyFlag(key: string, columns: Json, variants: Json = { on: true, off: false }): Promise<void> {
  const names = ['key', 'kind', 'variants', ...Object.keys(columns)];
  const kind = typeof Object.values(variants)[0] === 'boolean' ? 'boolean' : 'string';
  const off = Object.keys(variants).at(-1);
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO flags (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).bind(
      key,
      kind,
      JSON.stringify(variants),
      ...Object.values(columns),
    ),
    env.DB.prepare(
      'INSERT INTO flag_configs (flag_key, environment, off_variant, default_serve) SELECT ?, key, ?, ? FROM environments',
    ).bind(key, off, JSON.stringify({ variant: off })),
  ]);
}

const release = { kind: 'boolean', type: 'release', owner: 'payments' };
const experiment = { kind: 'string', type: 'experiment', variants: { control: 'a', treatment: 'b' }, offVariant: 'control' };

interface Case {
  type: string;
  rule: string;
  /** What the refused write needs first (not part of what must stay unchanged). */
  setup?: () => Promise<unknown>;
  refused: () => Promise<Response>;
  allowed: () => Promise<Response>;
  /** The emergency or pre-existing case the rule never blocks. */
  exception: [what: string, run: () => Promise<Response>];
}

const CASES: Case[] = [
  {
    type: 'any',
    rule: 'naming.pattern',
    refused: () => create({ ...release, key: 'NewCheckout' }),
    allowed: () => create({ ...release, key: 'new-checkout' }),
    exception: [
      'a flag named before the convention is edited',
      async () => {
        await legacyFlag('Legacy_Flag', { type: 'release', expires_at: '2030-01-01' });
        return patch('Legacy_Flag', { description: 'still here' });
      },
    ],
  },
  {
    type: 'release',
    rule: 'release.owner-required',
    refused: () => create({ ...release, key: 'no-owner', owner: '' }),
    allowed: () => create({ ...release, key: 'with-owner' }),
    exception: [
      'an ownerless flag from before the policy has its targeting and description edited',
      async () => {
        await legacyFlag('ownerless', { type: 'release', owner: '', expires_at: '2030-01-01' });
        expect((await putConfig('ownerless', 'staging', { enabled: true })).status).toBe(200);
        return patch('ownerless', { description: 'who owns this?', owner: '' });
      },
    ],
  },
  {
    type: 'release',
    rule: 'release.expiry-required',
    setup: () => createOk({ ...release, key: 'expiring' }),
    refused: () => patch('expiring', { expiresAt: null }),
    allowed: () => patch('expiring', { expiresAt: '2031-06-30' }),
    exception: [
      'a flag without expiry from before the policy is archived and restored',
      async () => {
        await legacyFlag('forever', { type: 'release', expires_at: null });
        const { version } = await json(await call(flagUrl('forever'), { key: A }));
        expect((await call(`${flagUrl('forever')}?version=${version}`, { method: 'DELETE', key: A })).status).toBe(200);
        return call(`${flagUrl('forever')}/restore`, { method: 'POST', key: A, json: { version: version + 1 } });
      },
    ],
  },
  {
    type: 'release',
    rule: 'release.production-rollout-needs-plan',
    setup: () => createOk({ ...release, key: 'big-launch' }),
    refused: () => rollout('big-launch', 'production', 25),
    allowed: async () => {
      expect((await rollout('big-launch', 'staging', 25)).status).toBe(200);
      return rollout('big-launch', 'production', 100);
    },
    exception: ['the kill switch on a seeded production split', () => protect('new-pdf-engine', 'production', false)],
  },
  {
    type: 'experiment',
    rule: 'experiment.end-date-required',
    refused: () => create({ ...experiment, key: 'exp-open', primaryMetric: 'conversion' }),
    allowed: () => create({ ...experiment, key: 'exp-dated', primaryMetric: 'conversion', expiresAt: '2031-01-31' }),
    exception: [
      'an undated experiment from before the policy gets a new variant split',
      async () => {
        await legacyFlag('exp-legacy', { type: 'experiment', primary_metric: 'conversion' }, { treatment: 'b', control: 'a' });
        const split = [
          { variant: 'treatment', weight: 50 },
          { variant: 'control', weight: 50 },
        ];
        return putConfig('exp-legacy', 'staging', { enabled: true, defaultServe: { split } });
      },
    ],
  },
  {
    type: 'experiment',
    rule: 'experiment.primary-metric-required',
    refused: () => patch('exp-dated', { primaryMetric: null }),
    allowed: () => patch('exp-dated', { primaryMetric: 'revenue-per-user' }),
    exception: ['the experiment is switched off as an emergency', () => protect('exp-dated', 'production', false)],
  },
  {
    type: 'ops',
    rule: 'ops.protective-state-required',
    refused: () => create({ key: 'ops-switch', kind: 'boolean', type: 'ops', owner: 'sre' }),
    allowed: () => create({ key: 'ops-switch', kind: 'boolean', type: 'ops', owner: 'sre', protectiveState: 'on' }),
    exception: ['the maintenance switch is moved into its protective state', () => protect('maintenance-mode', 'production', true)],
  },
  {
    type: 'permission',
    rule: 'permission.no-percentage-splits',
    refused: () => rollout('bulk-invoice-api', 'staging', 10),
    allowed: () => putConfig('bulk-invoice-api', 'staging', { targets: [{ attribute: 'accountId', values: ['acct-9'], variant: 'on' }] }),
    exception: ['the permission is revoked for everyone at once', () => protect('bulk-invoice-api', 'production', false)],
  },
  {
    type: 'migration',
    rule: 'migration.ordered-stages',
    refused: () => create({ key: 'db-move', kind: 'string', type: 'migration', owner: 'data', variants: { new: 'new', old: 'old' } }),
    allowed: () => create({ key: 'db-move', kind: 'string', type: 'migration', owner: 'data' }),
    exception: [
      'a metadata edit of a migration flag leaves its stages alone',
      () => patch('db-move', { description: 'orders table to the new cluster' }),
    ],
  },
  {
    type: 'migration',
    rule: 'migration.one-stage-at-a-time',
    refused: () => putConfig('db-move', 'staging', { enabled: true, defaultServe: { variant: 'dual-read' } }),
    allowed: async () => {
      expect((await putConfig('db-move', 'staging', { enabled: true, defaultServe: { variant: 'dual-write' } })).status).toBe(200);
      return putConfig('db-move', 'staging', { defaultServe: { variant: 'dual-read' } });
    },
    exception: [
      'a rollback jumps back to the old stage, and the kill switch serves it',
      async () => {
        expect((await putConfig('db-move', 'staging', { defaultServe: { variant: 'old' } })).status).toBe(200);
        return protect('db-move', 'staging', false);
      },
    ],
  },
];

beforeAll(seed);

describe.each(CASES)('$type: $rule', ({ rule, setup, refused, allowed, exception }) => {
  it(`refuses with 422 naming ${rule}, and changes nothing`, async () => {
    await setup?.();
    const before = await json(await call('/api/v1/audit?limit=1', { key: A }));
    const res = await refused();
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.code).toBe('rule_violation');
    expect(error.message).toContain(`policy ${rule}:`);
    expect(error.details.rule).toBe(rule);
    expect(error.details.issues[0]).toMatchObject({ path: expect.any(String), message: expect.stringContaining(rule) });
    const after = await json(await call('/api/v1/audit?limit=1', { key: A }));
    expect(after.entries[0]?.id).toBe(before.entries[0]?.id);
  });

  it('allows the compliant write', async () => {
    const res = await allowed();
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it(`never blocks: ${exception[0]}`, async () => {
    const res = await exception[1]();
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('filled in by the policies', () => {
  it('a release flag created without an expiry expires 90 days after creation', async () => {
    await createOk({ ...release, key: 'auto-expiry' });
    const { expiresAt, createdAt } = await json(await call(flagUrl('auto-expiry'), { key: A }));
    expect(expiresAt).toBe(new Date(createdAt + 90 * 86_400_000).toISOString().slice(0, 10));
  });

  it('a migration flag created without variants gets its stages, in order, and starts at the first', async () => {
    const flag = await json(await call(flagUrl('db-move'), { key: A }));
    expect(Object.keys(flag.variants)).toEqual(['old', 'dual-write', 'dual-read', 'new']);
    expect(flag.environments.production.offVariant).toBe('old');
  });
});

describe('release.production-rollout-needs-plan: the sanctioned path', () => {
  it('a release plan with health checks rolls a release flag out to a percentage in production, and its rollback applies', async () => {
    await createOk({ ...release, key: 'planned-launch' });
    const plan = await createPlan('planned-launch', 'production', { template: 'default', start: true });
    const config = await json(await call(cfgUrl('planned-launch', 'production'), { key: A }));
    expect(config.defaultServe.split).toEqual([
      { variant: 'on', weight: 10 },
      { variant: 'off', weight: 90 },
    ]);
    const rollback = await act('planned-launch', 'production', plan.id, 'rollback', { reason: 'errors' });
    expect(rollback.status, await rollback.clone().text()).toBe(200);
  });
});

describe('a new type brings its whole policy, to what each environment serves too', () => {
  const split = [
    { variant: 'treatment', weight: 50 },
    { variant: 'control', weight: 50 },
  ];
  it.each([
    ['release', 'release.production-rollout-needs-plan'],
    ['permission', 'permission.no-percentage-splits'],
  ])('an experiment splitting production traffic cannot become a %s flag (%s), and nothing changes', async (type, rule) => {
    if ((await call(flagUrl('retyped'), { key: A })).status === 404)
      await createOk({ ...experiment, key: 'retyped', owner: 'growth', primaryMetric: 'conversion', expiresAt: '2031-01-31' });
    expect((await putConfig('retyped', 'production', { enabled: true, defaultServe: { split } })).status).toBe(200);
    const before = await json(await call(flagUrl('retyped'), { key: A }));
    const res = await patch('retyped', { type });
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.details.rule).toBe(rule);
    expect(error.details.issues[0]).toMatchObject({ path: 'type', message: expect.stringContaining('it does in "production"') });
    expect((await json(await call(flagUrl('retyped'), { key: A }))).version).toBe(before.version);
  });

  it('becomes a release flag once production serves one variant', async () => {
    expect((await putConfig('retyped', 'production', { defaultServe: { variant: 'treatment' } })).status).toBe(200);
    const res = await patch('retyped', { type: 'release' });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});
