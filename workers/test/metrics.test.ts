import { env } from 'cloudflare:test';
import { LatencySketch, METRICS_LIMITS, type MetricsPayload, type OutcomeSummary } from '@edgeflags/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../src/db.ts';
import { buildSnapshot } from '../src/snapshot/build-snapshot.ts';
import { deliver } from '../src/snapshot/publish.ts';
import { createOk, type Detail, detail } from './release-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const ENV = 'development';

const sketch = (ms: number[]) => {
  const s = new LatencySketch();
  for (const x of ms) s.add(x);
  return s.toJSON();
};
const summary = (flag: string, variant: string, over: Partial<OutcomeSummary> = {}): OutcomeSummary => ({
  flag,
  variant,
  count: 100,
  errors: 2,
  latency: sketch([12, 15, 40, 230]),
  events: { 'invoice-created': { count: 3, sum: 120 } },
  ...over,
});
const post = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  call('/sdk/v1/metrics', { method: 'POST', key, json: body, headers });
const payload = (...summaries: OutcomeSummary[]): MetricsPayload => ({ windowMs: 10_000, summaries });

/** A plan row straight into D1, then a new snapshot version published: what starting a plan does. */
async function livePlan(id: string, flag: string, status: string, environment = ENV) {
  await env.DB.prepare(
    `INSERT INTO release_plans (id, environment, flag_key, status, treatment_variant, baseline_variant, stages, settings)
     VALUES (?, ?, ?, ?, 'on', 'off', '[]', '{}')`,
  )
    .bind(id, environment, flag, status)
    .run();
}
async function republish(environment = ENV) {
  await env.DB.prepare('UPDATE environments SET snapshot_version = snapshot_version + 1 WHERE key = ?').bind(environment).run();
  await deliver(env, environment, []);
}

beforeAll(async () => {
  await seed();
  await livePlan('plan-pdf', 'new-pdf-engine', 'running');
  await livePlan('plan-bulk', 'bulk-invoice-api', 'waiting_approval');
  await livePlan('plan-chat', 'ai-chatbot', 'draft');
  await livePlan('plan-dash', 'redesigned-dashboard', 'completed');
  await republish();
});

describe('snapshot.tracked', () => {
  it('lists the flags under a running, waiting or paused plan, and no others', async () => {
    const res = await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
    const snapshot = (await res.json()) as { tracked?: string[] };
    expect(snapshot.tracked).toEqual(['bulk-invoice-api', 'new-pdf-engine']);
  });

  it('is absent where no plan is live, so those snapshots do not change', async () => {
    const snapshot = await buildSnapshot(db(env), 'staging');
    expect('tracked' in snapshot).toBe(false);
  });
});

describe('POST /sdk/v1/metrics', () => {
  it('accepts summaries of tracked flags and real variants, from a server key', async () => {
    const res = await post(LOCAL_KEYS.server, payload(summary('new-pdf-engine', 'on'), summary('bulk-invoice-api', 'off')));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, dropped: 0 });
  });

  it('drops unknown flags, unknown variants and flags under no live plan', async () => {
    const res = await post(
      LOCAL_KEYS.server,
      payload(
        summary('new-pdf-engine', 'on'),
        summary('no-such-flag', 'on'),
        summary('new-pdf-engine', 'no-such-variant'),
        summary('ai-chatbot', 'on'), // draft plan
        summary('redesigned-dashboard', 'treatment'), // completed plan
      ),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: 4 });
  });

  it('drops server-only flags sent with a client key, and takes the client key as ?key= (sendBeacon)', async () => {
    const body = payload(summary('new-pdf-engine', 'on'), summary('bulk-invoice-api', 'on'));
    const res = await call(`/sdk/v1/metrics?key=${LOCAL_KEYS.client}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'text/plain', 'CF-Connecting-IP': '203.0.113.9' },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: 1 });
  });

  it('refuses bodies past the bounds with 400 invalid_request', async () => {
    const cases: unknown[] = [
      payload(
        ...Array.from({ length: METRICS_LIMITS.summaries + 1 }, () =>
          summary('new-pdf-engine', 'on', { latency: undefined, events: undefined }),
        ),
      ),
      payload(summary('new-pdf-engine', 'on', { count: METRICS_LIMITS.count + 1 })),
      payload(summary('new-pdf-engine', 'on', { errors: 101 })),
      payload(summary('new-pdf-engine', 'on', { latency: { a: 0.02, b: { '999999': 1 }, z: 0, n: 1, s: 1 } })),
      payload(summary('new-pdf-engine', 'on', { latency: { a: 0.02, b: { '10': 5 }, z: 0, n: 1, s: 1 } })),
      payload(
        summary('new-pdf-engine', 'on', {
          events: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`e${i}`, { count: 1, sum: 0 }])),
        }),
      ),
      payload(summary('new-pdf-engine', 'on', { events: { ['x'.repeat(65)]: { count: 1, sum: 0 } } })),
      { windowMs: 10_000, summaries: [{ ...summary('new-pdf-engine', 'on'), count: -1 }] },
      { summaries: [] },
    ];
    for (const body of cases) {
      const res = await post(LOCAL_KEYS.server, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
  });

  it('refuses a body over the size limit with 413 payload_too_large, and one that is not JSON with 400 invalid_json', async () => {
    const big = JSON.stringify(payload(summary('new-pdf-engine', 'on', { events: { pad: { count: 1, sum: 0 } } }))).replace(
      '"pad"',
      `"pad","x":"${'x'.repeat(METRICS_LIMITS.bodyBytes)}"`,
    );
    const res = await call('/sdk/v1/metrics', {
      method: 'POST',
      key: LOCAL_KEYS.server,
      body: big,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const bad = await call('/sdk/v1/metrics', {
      method: 'POST',
      key: LOCAL_KEYS.server,
      body: '{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('refuses a request with no key (401) and an admin token (401)', async () => {
    expect((await call('/sdk/v1/metrics', { method: 'POST', json: payload() })).status).toBe(401);
    expect((await post(LOCAL_KEYS.admin, payload())).status).toBe(401);
  });
});

/** A client-visible release flag, configured in development (where the local keys live). */
async function releaseFlag(key: string) {
  const res = await call('/api/v1/flags', {
    method: 'POST',
    key: LOCAL_KEYS.admin,
    json: {
      key,
      kind: 'boolean',
      owner: 'qa',
      variants: { on: true, off: false },
      offVariant: 'off',
      type: 'release',
      clientVisible: true,
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

type Totals = { count: number; errors: number };
/** Decision and display totals of one variant over every window so far. */
function totals(d: Detail, variant: 'treatment' | 'control'): { decision: Totals; display: Totals } {
  const sum = (pick: (w: Detail['health']['windows'][number]) => Totals) =>
    d.health.windows.reduce((t, w) => ({ count: t.count + pick(w).count, errors: t.errors + pick(w).errors }), { count: 0, errors: 0 });
  return { decision: sum((w) => w[variant]), display: sum((w) => w.all[variant]) };
}

/** The queue delivers on its own schedule (max_batch_timeout): poll the conductor's health until it holds what was sent. */
async function until(flag: string, id: string, done: (d: Detail) => boolean, timeoutMs = 20_000): Promise<Detail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await detail(flag, ENV, id);
    if (done(d) || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const browser = (ip: string, body: MetricsPayload) =>
  call('/sdk/v1/metrics', { method: 'POST', key: LOCAL_KEYS.client, json: body, headers: { 'CF-Connecting-IP': ip } });

describe('POST /sdk/v1/metrics → METRICS queue → ReleaseConductor', () => {
  it('a started plan tracks its flag, and a server key’s summaries reach the conductor through the real queue', async () => {
    await releaseFlag('metrics-e2e');
    const plan = await createOk('metrics-e2e', ENV, { template: 'default', start: true });
    const snapshot = (await (await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server })).json()) as { tracked?: string[] };
    expect(snapshot.tracked).toContain('metrics-e2e');

    const res = await post(
      LOCAL_KEYS.server,
      payload(summary('metrics-e2e', 'on'), summary('metrics-e2e', 'off', { count: 900, errors: 9 })),
    );
    expect(await res.json()).toEqual({ accepted: 2, dropped: 0 });
    const d = await until('metrics-e2e', plan.id, (x) => totals(x, 'control').decision.count === 900);
    expect(totals(d, 'treatment').decision).toEqual({ count: 100, errors: 2 });
    expect(totals(d, 'control').decision).toEqual({ count: 900, errors: 9 });
  });

  it('a flood from one browser caller does not move the decision aggregates beyond its share (plan opted in to browser metrics)', async () => {
    await releaseFlag('metrics-flood');
    const plan = await createOk('metrics-flood', ENV, {
      template: 'default',
      settings: { browserMetrics: true, perCallerShare: 0.1 },
      start: true,
    });
    // 40 honest browsers: 50 pages per variant, 1% errors overall.
    for (let i = 0; i < 40; i++) {
      const errors = i % 2;
      const res = await browser(
        `198.51.100.${i}`,
        payload(summary('metrics-flood', 'on', { count: 50, errors }), summary('metrics-flood', 'off', { count: 50, errors })),
      );
      expect(res.status).toBe(202);
    }
    // One address sends 1,000× the honest treatment traffic, every one an error.
    for (let i = 0; i < 4; i++) {
      const res = await browser(
        '203.0.113.66',
        payload(summary('metrics-flood', 'on', { count: 500_000, errors: 500_000, latency: undefined })),
      );
      expect(res.status).toBe(202);
    }
    const d = await until(
      'metrics-flood',
      plan.id,
      (x) => totals(x, 'treatment').display.count === 2_000 + 2_000_000 && totals(x, 'control').display.count === 2_000,
    );
    const treatment = totals(d, 'treatment');
    expect(treatment.display).toEqual({ count: 2_002_000, errors: 2_000_020 });
    // Capped: at most share/(1 − share) of the honest 2,000 added (222), so the error rate stays near 1%, not 99.9%.
    expect(treatment.decision.count).toBeLessThanOrEqual(2_000 + Math.ceil((0.1 / 0.9) * 2_000));
    expect(treatment.decision.errors / treatment.decision.count).toBeLessThan(0.12);
    expect(totals(d, 'control').decision).toEqual({ count: 2_000, errors: 20 });
  });

  it('by default (browser metrics off) the same flood decides nothing: shown, never counted', async () => {
    await releaseFlag('metrics-default');
    const plan = await createOk('metrics-default', ENV, { template: 'default', start: true });
    await post(LOCAL_KEYS.server, payload(summary('metrics-default', 'on', { count: 100, errors: 1 })));
    for (let i = 0; i < 4; i++)
      await browser('203.0.113.66', payload(summary('metrics-default', 'on', { count: 500_000, errors: 500_000 })));
    const d = await until('metrics-default', plan.id, (x) => totals(x, 'treatment').display.count === 2_000_100);
    expect(totals(d, 'treatment').display.count).toBe(2_000_100);
    expect(totals(d, 'treatment').decision).toEqual({ count: 100, errors: 1 });
  });
});
