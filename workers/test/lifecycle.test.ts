// Issue 11 §3-4: the lifecycle computed by the server from a seeded history (flags, configs and
// evaluations with backdated timestamps), the stale report's seed-001 numbers, the lifecycle on the
// flags list and detail, the weekly digest through a webhook, and retention.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../src/index.ts';
import { DIGEST_CRON, LIFECYCLE_CRON } from '../src/lifecycle/lifecycle-cron.ts';
import { enforceRetention, retentionDays } from '../src/lifecycle/retention.ts';
import type { StaleReport } from '../src/lifecycle/stale-report.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const DAY = 86_400_000;
const NOW = Date.now();
const ENV = 'history';
const ON = { variant: 'on' };
const HALF = {
  split: [
    { variant: 'on', weight: 50 },
    { variant: 'off', weight: 50 },
  ],
};

interface Seeded {
  key: string;
  type?: string;
  owner?: string;
  serve?: object;
  enabled?: boolean;
  /** Days since the config's last write (when it got to what it serves). */
  configDays: number;
  /** Days since the newest evaluation; undefined: never evaluated. */
  evaluatedDays?: number;
  expires?: string;
  archived?: boolean;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The hygiene history: what each flag serves since when, and when it was last evaluated. */
const HISTORY: Seeded[] = [
  { key: 'old-banner', owner: 'web', serve: ON, configDays: 45, evaluatedDays: 1 },
  { key: 'old-search', owner: 'search', serve: ON, configDays: 35, evaluatedDays: 2 },
  { key: 'recent-checkout', owner: 'web', serve: ON, configDays: 20, evaluatedDays: 0 },
  { key: 'fresh-nav', owner: 'web', serve: ON, configDays: 5, evaluatedDays: 0 },
  { key: 'half-rollout', owner: 'web', serve: HALF, configDays: 60, evaluatedDays: 0 },
  { key: 'quiet-split', owner: 'search', serve: HALF, configDays: 60, evaluatedDays: 40 },
  { key: 'no-data', owner: 'web', serve: ON, configDays: 40 },
  { key: 'kill-old', type: 'ops', owner: 'sre', serve: ON, configDays: 90, evaluatedDays: 0 },
  { key: 'perm-old', type: 'permission', owner: 'sre', serve: ON, configDays: 90, evaluatedDays: 0 },
  { key: 'expired-off', owner: 'search', enabled: false, serve: ON, configDays: 3, expires: day(NOW - 10 * DAY) },
  { key: 'archived-old', owner: 'web', serve: ON, configDays: 60, evaluatedDays: 0, archived: true },
];

async function seedHistory(): Promise<void> {
  const stmts: D1PreparedStatement[] = [
    env.DB.prepare(`INSERT INTO environments (key, name, production, sort_order) VALUES (?, 'History', 0, 9)`).bind(ENV),
  ];
  for (const f of HISTORY) {
    const changed = NOW - f.configDays * DAY;
    stmts.push(
      env.DB.prepare(
        `INSERT INTO flags (key, kind, variants, name, owner, type, expires_at, archived_at, created_at, updated_at)
         VALUES (?, 'boolean', '{"on":true,"off":false}', ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        f.key,
        f.key,
        f.owner ?? '',
        f.type ?? 'release',
        f.expires ?? '2099-01-01',
        f.archived ? NOW - DAY : null,
        changed - DAY,
        changed,
      ),
      env.DB.prepare(
        `INSERT INTO flag_configs (flag_key, environment, enabled, off_variant, default_serve, updated_at) VALUES (?, ?, ?, 'off', ?, ?)`,
      ).bind(f.key, ENV, f.enabled === false ? 0 : 1, JSON.stringify(f.serve ?? ON), changed),
    );
    if (f.evaluatedDays !== undefined) {
      const last = NOW - f.evaluatedDays * DAY;
      stmts.push(
        env.DB.prepare(`INSERT INTO flag_evaluations (environment, flag_key, day, count, last_at) VALUES (?, ?, ?, 12, ?)`).bind(
          ENV,
          f.key,
          Math.floor(last / DAY) * DAY,
          last,
        ),
      );
    }
  }
  await env.DB.batch(stmts);
}

async function cron(expression: string, scheduledTime = Date.now()): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled?.(createScheduledController({ cron: expression, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function report(query = `?environment=${ENV}`): Promise<StaleReport> {
  const res = await call(`/api/v1/reports/stale${query}`, { key: A });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as StaleReport;
}

const received: { path: string; body: string }[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  await seed();
  await seedHistory();
  await cron(LIFECYCLE_CRON);
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.host !== 'receiver.test') return realFetch(input, init);
    received.push({ path: url.pathname, body: await req.text() });
    return new Response('ok');
  });
});
afterAll(() => vi.restoreAllMocks());

describe('the stale report on a seeded history (seed 001 hygiene numbers)', () => {
  it('answers "flags at 100% for more than 30 days: N" and lists the 14-day removal candidates', async () => {
    const r = await report();
    // old-banner (45 d), old-search (35 d) and no-data (40 d); not ops/permission, archived, split or 20-day ones.
    expect(r.summary.atFullOver30Days).toBe(3);
    expect(r.flags.map((f) => `${f.key}:${f.state}`).sort()).toEqual([
      'expired-off:expired',
      'old-banner:stale',
      'old-search:stale',
      'quiet-split:stale',
      'recent-checkout:stale',
    ]);
    expect(r.summary.toRemove).toBe(5);
    expect(r.unknown.map((f) => f.key)).toEqual(['no-data']);
  });

  it('says since when, whose, why, and the cleanup command', async () => {
    const r = await report();
    const banner = r.flags.find((f) => f.key === 'old-banner')!;
    expect(banner).toMatchObject({ owner: 'web', environment: ENV, variant: 'on', command: 'npx edgeflags cleanup old-banner' });
    // Stale from the day its 14-day lifetime ran out, counted from the write that rolled it out.
    expect(banner.rolledOutSince).toBe(NOW - 45 * DAY);
    expect(banner.since).toBe(NOW - 45 * DAY + 14 * DAY);
    expect(banner.reason).toMatch(/14 days/);
    const quiet = r.flags.find((f) => f.key === 'quiet-split')!;
    expect(quiet.since).toBe(NOW - 40 * DAY + 30 * DAY);
    expect(quiet.reason).toMatch(/not evaluated for 30 days/);
    // Oldest first.
    expect(r.flags.map((f) => f.since)).toEqual([...r.flags.map((f) => f.since)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('defaults to the production environments and refuses an unknown one', async () => {
    expect((await report('')).environments).toEqual(['production']);
    const res = await call('/api/v1/reports/stale?environment=nowhere', { key: A });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('the flags list and detail carry the server’s lifecycle', () => {
  it('gives each flag its state in each environment, with the date it changed', async () => {
    const res = await call('/api/v1/flags', { key: A });
    const { flags } = (await res.json()) as {
      flags: { key: string; environments: Record<string, { lifecycle: { state: string; since: number } }> }[];
    };
    const state = (key: string) => flags.find((f) => f.key === key)?.environments[ENV]?.lifecycle;
    expect(state('fresh-nav')).toMatchObject({ state: 'rolled_out', since: NOW - 5 * DAY });
    expect(state('half-rollout')).toMatchObject({ state: 'rolling_out', since: NOW - 60 * DAY });
    expect(state('kill-old')?.state).toBe('rolled_out');
    expect(state('perm-old')?.state).toBe('rolled_out');
    expect(state('no-data')?.state).toBe('unknown');
    expect(flags.some((f) => f.key === 'archived-old')).toBe(false);
    const archived = await call('/api/v1/flags/archived-old', { key: A });
    const body = (await archived.json()) as { environments: Record<string, { lifecycle: { state: string; since: number } }> };
    expect(body.environments[ENV]!.lifecycle).toMatchObject({ state: 'archived', since: NOW - DAY });
  });

  it('keeps "rolled out since" across edits that keep one answer for everyone, and moves it when the answer changes', async () => {
    const path = `/api/v1/flags/fresh-nav/environments/${ENV}`;
    const detail = async () =>
      (
        (await (await call('/api/v1/flags/fresh-nav', { key: A })).json()) as {
          environments: Record<string, { version: number; lifecycle: { state: string; phaseSince: number } }>;
        }
      ).environments[ENV]!;
    const before = await detail();
    // A write that keeps "on for everyone" (a new bucketing attribute) does not reset the date.
    const same = await call(path, {
      method: 'PUT',
      key: A,
      json: { enabled: true, offVariant: 'off', defaultServe: ON, bucketBy: 'accountId', version: before.version },
    });
    expect(same.status, await same.clone().text()).toBe(200);
    const kept = await detail();
    expect(kept.lifecycle).toMatchObject({ state: 'rolled_out', phaseSince: NOW - 5 * DAY });
    // Back to a split: rolling out from that write on.
    const t0 = Date.now();
    const split = await call(path, {
      method: 'PUT',
      key: A,
      json: { enabled: true, offVariant: 'off', defaultServe: HALF, version: kept.version },
    });
    expect(split.status).toBe(200);
    const rolling = await detail();
    expect(rolling.lifecycle.state).toBe('rolling_out');
    expect(rolling.lifecycle.phaseSince).toBeGreaterThanOrEqual(t0);
  });
});

describe('the weekly digest per owner through the webhooks', () => {
  it('sends each owner a Slack message of the flags to remove, since when, with the cleanup command', async () => {
    const hook = await call('/api/v1/webhooks', {
      method: 'POST',
      key: A,
      json: { url: 'https://receiver.test/slack', events: ['flags.stale_digest'], format: 'slack' },
    });
    expect(hook.status, await hook.clone().text()).toBe(200);
    // The digest judges the production environments: move the history there for this run.
    await env.DB.prepare(`UPDATE environments SET production = CASE key WHEN ? THEN 1 ELSE 0 END`).bind(ENV).run();
    try {
      await cron(DIGEST_CRON);
    } finally {
      await env.DB.prepare(`UPDATE environments SET production = CASE key WHEN 'production' THEN 1 ELSE 0 END`).run();
    }
    const deadline = Date.now() + 15_000;
    while (received.filter((r) => r.path === '/slack').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const messages = received.filter((r) => r.path === '/slack').map((r) => JSON.parse(r.body) as SlackBody);
    expect(messages).toHaveLength(2); // web and search; nobody else has flags to remove
    for (const m of messages) expectSlackShape(m);
    const web = messages.find((m) => m.text.includes('for web'))!;
    expect(web.text).toBe('2 flags to remove from code for web');
    const lines = web.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    expect(
      lines.some((l) => l.includes('*old-banner* in *history*: stale since') && l.includes('`npx edgeflags cleanup old-banner`')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('recent-checkout'))).toBe(true);
  });
});

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
}

/** Slack's incoming-webhook shape: `text` fallback, at most 50 blocks, mrkdwn sections under 3,000 characters. */
function expectSlackShape(m: SlackBody): void {
  expect(typeof m.text).toBe('string');
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  for (const b of m.blocks) {
    expect(['section', 'context']).toContain(b.type);
    if (b.type === 'section') expect(b.text!.type).toBe('mrkdwn');
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThan(3000);
    if (b.type === 'context') for (const e of b.elements!) expect(e.type).toBe('mrkdwn');
  }
}

describe('retention', () => {
  it('deletes rows past their retention in the cron and keeps recent ones (the audit log is kept)', async () => {
    const old = NOW - 200 * DAY;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO recent_contexts (environment, context_key, context, seen_at) VALUES (?, 'old', '{}', ?), (?, 'new', '{}', ?)`,
      ).bind(ENV, old, ENV, NOW),
      env.DB.prepare(
        `INSERT INTO exposure_counts (environment, flag_key, variant, hour, count) VALUES (?, 'x', 'on', ?, 1), (?, 'x', 'on', ?, 1)`,
      ).bind(ENV, old, ENV, NOW),
      env.DB.prepare(
        `INSERT INTO flag_evaluations (environment, flag_key, day, count, last_at) VALUES (?, 'x', ?, 1, ?), (?, 'x', ?, 1, ?)`,
      ).bind(ENV, old, old, ENV, NOW, NOW),
      env.DB.prepare(
        `INSERT INTO audit_log (at, actor, action, resource_type, resource_key) VALUES (?, 'test', 'flag.update', 'flag', 'x')`,
      ).bind(old),
    ]);
    await cron(LIFECYCLE_CRON);
    const count = async (sql: string) => (await env.DB.prepare(sql).bind(ENV).first<{ n: number }>())!.n;
    expect(await count(`SELECT count(*) AS n FROM recent_contexts WHERE environment = ? AND context_key IN ('old', 'new')`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM exposure_counts WHERE environment = ? AND flag_key = 'x'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM flag_evaluations WHERE environment = ? AND flag_key = 'x'`)).toBe(1);
    const audit = await env.DB.prepare(`SELECT count(*) AS n FROM audit_log WHERE at = ?`).bind(old).first<{ n: number }>();
    expect(audit!.n).toBe(1);
  });
});

describe('retention, configured', () => {
  it('deletes a backlog in bounded batches, and keeps a month of evaluation counts whatever is asked', async () => {
    const old = NOW - 400 * DAY;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
       INSERT INTO flag_evaluations (environment, flag_key, day, count, last_at) SELECT 'backlog', 'f' || i, ?, 1, ? FROM n`,
    )
      .bind(old, old)
      .run();
    const done = await enforceRetention({ ...env, RETENTION_EVALUATIONS_DAYS: '10' }, NOW);
    // 10 days asked, 31 kept: "not evaluated for 30 days" needs a month of counts.
    expect(retentionDays({ RETENTION_EVALUATIONS_DAYS: '10' }).evaluations).toBe(31);
    // The backlog (three batches of at most 1,000) and quiet-split's 40-day-old count; the rest stays.
    expect(done.evaluations).toBe(2501);
    const left = await env.DB.prepare(`SELECT count(*) AS n FROM flag_evaluations WHERE environment IN ('backlog', ?)`)
      .bind(ENV)
      .first<{ n: number }>();
    expect(left!.n).toBe(HISTORY.filter((f) => f.evaluatedDays !== undefined && f.evaluatedDays < 31).length + 1);
  });
});

describe('code references (edgeflags refs push)', () => {
  it('makes a rolled-out flag nobody reads any more ready to remove, once references are pushed', async () => {
    const pushedAt = Date.now();
    await env.DB.prepare(
      `INSERT INTO code_refs (repository, flag_key, path, line, "commit", pushed_at) VALUES ('acme/web', 'old-search', 'src/search.ts', 12, 'abc123', ?)`,
    )
      .bind(pushedAt)
      .run();
    const r = await report();
    const state = (key: string) => r.flags.find((f) => f.key === key);
    expect(state('old-banner')).toMatchObject({ state: 'ready_to_remove', references: 0, since: pushedAt });
    expect(state('old-search')).toMatchObject({ state: 'stale', references: 1 });
    // No verdict from references on what is still rolling out.
    expect(r.flags.some((f) => f.key === 'half-rollout')).toBe(false);
  });
});
