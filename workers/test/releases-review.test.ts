// Adversarial review of guarded releases: a racing engine must not act on a plan a person ended,
// and browser-sourced or foreign metrics must not decide a plan that did not opt in.
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { asActor } from '../src/releases/as-actor.ts';
import { applyDecision } from '../src/releases/conductor-steps.ts';
import type { Plan } from '../src/releases/plan-store.ts';
import type { ReleaseConductor } from '../src/releases/release-conductor.ts';
import { rollbackRelease } from '../src/releases/release-writes.ts';
import type { StageInput } from '../src/releases/stats/index.ts';
import type { VariantAggregate } from '../src/releases/types.ts';
import { act, actOk, configOf, create, createOk, detail, feed, newFlag, served, tick, windowsAfter } from './release-helpers.ts';
import { seed } from './seed.ts';

const STAGES = [
  { percentage: 10, minDurationSeconds: 0, minSamples: 100, checks: { errorRate: { maxRatio: 2 } } },
  { percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
];
const agg = (count: number, errors: number): VariantAggregate => ({ count, errors, latency: null, events: {} });
const noWait = { waitUntil() {} };

async function running(flag: string): Promise<Plan> {
  await newFlag(flag, { bucketBy: 'accountId' });
  return createOk(flag, 'staging', { stages: STAGES, settings: { windowSeconds: 1 }, start: true });
}

/** The stage input an alarm would have built from `plan` (read before a person acted). */
function inputOf(plan: Plan, treatment: VariantAggregate, control: VariantAggregate): StageInput {
  const start = (plan.stageStartedAt as number) + 1000;
  return {
    stage: plan.stages[plan.currentStage] as StageInput['stage'],
    settings: plan.settings,
    stageIndex: plan.currentStage,
    lastStage: false,
    elapsedMs: 5000,
    stageStartedAt: plan.stageStartedAt as number,
    windows: [{ start, treatment, control }],
    approved: false,
  };
}

const auditCount = async (action: string, key: string) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ? AND resource_key = ?')
      .bind(action, key)
      .first<{ n: number }>()
  )?.n;

beforeAll(async () => {
  await seed();
});

describe('an alarm racing a person who ended the plan', () => {
  it('a rollback decided on the plan read before an abort leaves the aborted config as it is', async () => {
    const stale = await running('rev-abort-rb');
    const serving = (await configOf('rev-abort-rb', 'staging')).defaultServe;
    await actOk('rev-abort-rb', 'staging', stale.id, 'abort');
    const decided = await applyDecision(env, noWait, stale, inputOf(stale, agg(100_000, 3_000), agg(900_000, 9_000)));
    expect(decided.action).toBe('rollback');
    expect((await configOf('rev-abort-rb', 'staging')).defaultServe).toEqual(serving);
    expect(await auditCount('flag.rollback', 'rev-abort-rb')).toBe(0);
    const { plan, decisions } = await detail('rev-abort-rb', 'staging', stale.id);
    expect(plan.status).toBe('aborted');
    expect(decisions.at(-1)?.action).toBe('abort');
  });

  it('a hold decided on the plan read before an abort adds nothing to the ended timeline or the webhooks', async () => {
    const stale = await running('rev-abort-hold');
    await actOk('rev-abort-hold', 'staging', stale.id, 'abort');
    const decided = await applyDecision(env, noWait, stale, inputOf(stale, agg(0, 0), agg(0, 0)));
    expect(decided.action).toBe('hold');
    const { decisions } = await detail('rev-abort-hold', 'staging', stale.id);
    expect(decisions.at(-1)?.action).toBe('abort');
    expect(await auditCount('release.held', stale.id)).toBe(0);
  });
});

describe('metrics the plan did not opt in to', () => {
  it('a browser flood with 3× errors on treatment (many callers) rolls nothing back without browserMetrics', async () => {
    const plan = await running('rev-browser');
    const [at] = windowsAfter(plan.stageStartedAt as number, 1, 1);
    for (let i = 0; i < 50; i++)
      await feed(
        'staging',
        'rev-browser',
        at as number,
        { on: { count: 1000, errors: 300 }, off: { count: 1000, errors: 10 } },
        'client',
        `ip-${i}`,
      );
    await tick('staging', 'rev-browser');
    const { plan: after, decisions } = await detail('rev-browser', 'staging', plan.id);
    expect(after.status).toBe('running');
    expect(decisions.at(-1)).toMatchObject({ action: 'hold', rule: 'min_samples' });
  });

  it('summaries for another flag or another environment never reach this conductor', async () => {
    const plan = await running('rev-foreign');
    const [at] = windowsAfter(plan.stageStartedAt as number, 1, 1);
    const conductorOf = env.CONDUCTOR.getByName('staging:rev-foreign');
    const wrongEnv = await conductorOf.ingest({
      environment: 'production',
      flag: 'rev-foreign',
      receivedAt: at as number,
      source: 'server',
      caller: 'k',
      summaries: [{ flag: 'rev-foreign', variant: 'on', count: 1000, errors: 1000 }],
    });
    expect(wrongEnv.accepted).toBe(0);
    const wrongFlag = await conductorOf.ingest({
      environment: 'staging',
      flag: 'other',
      receivedAt: at as number,
      source: 'server',
      caller: 'k',
      summaries: [{ flag: 'other', variant: 'on', count: 1000, errors: 1000 }],
    });
    expect(wrongFlag.accepted).toBe(0);
  });
});

describe('an engine rollback', () => {
  it('serves the baseline to the rollout only: users matched by rules keep what their rule serves', async () => {
    await newFlag('rev-rules', {
      bucketBy: 'accountId',
      rules: [{ conditions: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }], serve: { variant: 'on' } }],
    });
    const plan = await createOk('rev-rules', 'staging', { stages: STAGES, settings: { windowSeconds: 1 }, start: true });
    const accounts = Array.from({ length: 400 }, (_, i) => ({
      targetingKey: `u${i}`,
      accountId: `acct-${i}`,
      plan: i % 4 === 0 ? 'enterprise' : 'free',
    }));
    const before = await served('staging', 'rev-rules', accounts);
    expect(before.filter((v, i) => v === 'on' && i % 4 !== 0).length).toBeGreaterThan(0);
    const [at] = windowsAfter(plan.stageStartedAt as number, 1, 1);
    await feed('staging', 'rev-rules', at as number, { on: { count: 20_000, errors: 2_000 }, off: { count: 180_000, errors: 1_800 } });
    await tick('staging', 'rev-rules');
    expect((await detail('rev-rules', 'staging', plan.id)).plan.status).toBe('rolled_back');
    const after = await served('staging', 'rev-rules', accounts);
    accounts.forEach((a, i) => {
      expect(after[i], a.accountId).toBe(a.plan === 'enterprise' ? 'on' : 'off');
    });
  });
});

describe('seed 004 for a careless operator', () => {
  it('refuses a production plan whose only checks cannot be judged: straight to 100%, or checks on the 100% stage alone', async () => {
    await newFlag('rev-vacuous');
    const straight = await create('rev-vacuous', 'production', {
      stages: [{ percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } }],
    });
    expect(straight.status, await straight.clone().text()).toBe(422);
    const lastOnly = await create('rev-vacuous', 'production', {
      stages: [
        { percentage: 10, minDurationSeconds: 0 },
        { percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
      ],
    });
    expect(lastOnly.status, await lastOnly.clone().text()).toBe(422);
    const guarded = await create('rev-vacuous', 'production', {
      stages: [
        { percentage: 10, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } },
        { percentage: 100, minDurationSeconds: 0 },
      ],
    });
    expect(guarded.status, await guarded.clone().text()).toBe(200);
  });
});

describe('an alarm racing a new plan of the same flag', () => {
  it('an alarm that finds its plan ended does not clobber the conductor of a plan begun meanwhile', async () => {
    await newFlag('rev-meta', { bucketBy: 'accountId' });
    const first = await createOk('rev-meta', 'staging', { stages: STAGES, settings: { windowSeconds: 1 }, start: true });
    const stub = env.CONDUCTOR.getByName('staging:rev-meta');
    const firstMeta = await runInDurableObject(stub, (_i, state) => state.storage.get<Record<string, unknown>>('meta'));
    expect((await act('rev-meta', 'staging', first.id, 'rollback')).status).toBe(200);
    const second = await createOk('rev-meta', 'staging', { stages: STAGES, settings: { windowSeconds: 1 }, start: true });
    await runInDurableObject(stub, async (instance: ReleaseConductor, state) => {
      // The alarm read the first plan's meta, then a person started the second plan while the
      // alarm waited on D1 for the first plan's row (a fault injected at exactly that read).
      await state.storage.put('meta', firstMeta);
      const holder = instance as unknown as { env: typeof env };
      const real = holder.env;
      let fired = false;
      const bound = <T extends object>(target: T, key: PropertyKey) => {
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      };
      const DB = new Proxy(real.DB, {
        get: (db, key) =>
          key !== 'prepare'
            ? bound(db, key)
            : (sql: string) =>
                new Proxy(db.prepare(sql), {
                  get: (stmt, k) =>
                    k !== 'bind'
                      ? bound(stmt, k)
                      : (...args: unknown[]) =>
                          new Proxy(stmt.bind(...args), {
                            get: (b, m) =>
                              m === 'first' && !fired && sql.includes('FROM release_plans WHERE id = ?')
                                ? async () => {
                                    fired = true;
                                    await instance.begin(second);
                                    return b.first();
                                  }
                                : bound(b, m),
                          }),
                }),
      });
      holder.env = { ...real, DB };
      try {
        await instance.alarm();
      } finally {
        holder.env = real;
      }
      expect(fired).toBe(true);
      expect(await state.storage.get('meta')).toMatchObject({ planId: second.id, active: true });
    });
  });
});

describe('a person’s rollback racing the engine', () => {
  it('an advance landing between the rollback’s config write and the plan’s stop does not put the treatment back', async () => {
    const stale = await running('rev-rb-race');
    const person = { id: 'tok_reviewer', name: 'reviewer', role: 'admin' as const, productionAccess: true };
    const healthy = inputOf(stale, agg(100_000, 1_000), agg(900_000, 9_000));
    let fired = false;
    const DB = new Proxy(env.DB, {
      get(db, key) {
        if (key === 'batch')
          return async (statements: D1PreparedStatement[]) => {
            const row = await env.DB.prepare(
              "SELECT default_serve AS s FROM flag_configs WHERE flag_key = 'rev-rb-race' AND environment = 'staging'",
            ).first<{
              s: string;
            }>();
            // The rollback's config write has landed: the conductor's alarm (plan read before) steps now.
            if (!fired && JSON.parse(row?.s ?? '{}').variant === 'off') {
              fired = true;
              await applyDecision(env, noWait, stale, healthy);
            }
            return db.batch(statements);
          };
        const v = Reflect.get(db, key);
        return typeof v === 'function' ? v.bind(db) : v;
      },
    });
    const decision = { action: 'rollback', event: 'rolled_back', rule: 'manual' };
    await asActor({ ...env, DB }, person, noWait, (c) => rollbackRelease(c, stale, decision, person));
    expect(fired).toBe(true);
    expect((await detail('rev-rb-race', 'staging', stale.id)).plan.status).toBe('rolled_back');
    expect((await configOf('rev-rb-race', 'staging')).defaultServe).toEqual({ variant: 'off' });
  });
});

describe('a rollback at a manual gate', () => {
  it('leaves no approval pending on the ended plan', async () => {
    await newFlag('rev-gate', { bucketBy: 'accountId' });
    const gated = [{ ...STAGES[0], approval: 'manual' }, STAGES[1]];
    const plan = await createOk('rev-gate', 'staging', { stages: gated, settings: { windowSeconds: 1 }, start: true });
    const [at] = windowsAfter(plan.stageStartedAt as number, 1, 1);
    await feed('staging', 'rev-gate', at as number, { on: { count: 20_000, errors: 200 }, off: { count: 180_000, errors: 1_800 } });
    await tick('staging', 'rev-gate');
    expect((await detail('rev-gate', 'staging', plan.id)).approval?.status).toBe('pending');
    expect((await act('rev-gate', 'staging', plan.id, 'rollback')).status).toBe(200);
    const after = await detail('rev-gate', 'staging', plan.id);
    expect(after.plan.status).toBe('rolled_back');
    expect(after.approval?.status).toBe('cancelled');
  });
});
