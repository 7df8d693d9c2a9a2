import { env } from 'cloudflare:test';
import { LatencySketch, METRICS_LIMITS, type MetricsPayload, type OutcomeSummary } from '@edgeflags/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../src/db.ts';
import { buildSnapshot } from '../src/snapshot/build-snapshot.ts';
import { deliver } from '../src/snapshot/publish.ts';
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
