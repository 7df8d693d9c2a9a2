import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_LIMITS, SOURCE_LIMITS } from '../src/events/events-schema.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const admin = LOCAL_KEYS.admin;
const now = Date.now();

const exposure = (flag: string, variant: string, contextKey: string, context?: Record<string, unknown>) => ({
  flag,
  variant,
  reason: 'SPLIT',
  contextKey,
  at: now,
  ...(context && { context }),
});

async function exposures(flag: string): Promise<Record<string, number>> {
  const res = await call(`/api/v1/environments/development/exposures?flag=${flag}`, { key: admin });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { flags: Record<string, Record<string, number>> };
  return body.flags[flag] ?? {};
}

/** The queue delivers on its own schedule (max_batch_timeout); poll instead of sleeping. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Exposures of maintenance-mode:on, which only drain() sends. */
const sentinelCount = async () =>
  (
    await env.DB.prepare(
      `SELECT coalesce(sum(count), 0) AS n FROM exposure_counts WHERE flag_key = 'maintenance-mode' AND variant = 'on'`,
    ).first<{ n: number }>()
  )?.n ?? 0;

/**
 * Waits until everything enqueued so far has provably been consumed: one more message goes in
 * behind it, and the queue delivers in order, so once that one is counted the earlier ones were
 * too (or were never sent). Replaces sleeping and hoping the batch timer fired.
 */
async function drain(): Promise<void> {
  const before = await sentinelCount();
  const res = await call('/sdk/v1/events', {
    method: 'POST',
    key: LOCAL_KEYS.server,
    json: { events: [exposure('maintenance-mode', 'on', 'drain')] },
  });
  expect(res.status).toBe(202);
  expect(await until(sentinelCount, (n) => n > before)).toBe(before + 1);
}

const total = async () => (await env.DB.prepare('SELECT coalesce(sum(count), 0) AS n FROM exposure_counts').first<{ n: number }>())?.n ?? 0;

beforeAll(seed);

describe('exposure events (POST /sdk/v1/events → queue → D1)', () => {
  it('counts exposures per variant and keeps the contexts sent with them', async () => {
    const events = [
      exposure('redesigned-dashboard', 'treatment', 'u1', { targetingKey: 'u1', plan: 'pro', country: 'GB' }),
      exposure('redesigned-dashboard', 'treatment', 'u2', { targetingKey: 'u2', plan: 'free' }),
      exposure('redesigned-dashboard', 'control', 'u3'),
    ];
    const res = await call('/sdk/v1/events', { method: 'POST', key: LOCAL_KEYS.server, json: { events } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, dropped: 0 });

    const counts = await until(
      () => exposures('redesigned-dashboard'),
      (c) => c.treatment === 2,
    );
    expect(counts).toEqual({ treatment: 2, control: 1 });
    const ctx = await call('/api/v1/environments/development/contexts', { key: admin });
    const { contexts } = (await ctx.json()) as { contexts: { contextKey: string; context: unknown }[] };
    expect(contexts.map((c) => c.contextKey).sort()).toEqual(['u1', 'u2']);
    expect(contexts.find((c) => c.contextKey === 'u1')?.context).toEqual({ targetingKey: 'u1', plan: 'pro', country: 'GB' });
  });

  it('takes a client key in the URL with a text/plain body, as navigator.sendBeacon sends it', async () => {
    const body = JSON.stringify({ events: [exposure('ai-chatbot', 'on', 'beacon-user')] });
    const res = await call(`/sdk/v1/events?key=${LOCAL_KEYS.client}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    });
    expect(res.status).toBe(202);
    expect(
      await until(
        () => exposures('ai-chatbot'),
        (c) => c.on === 1,
      ),
    ).toEqual({ on: 1 });
  });

  it('samples contexts from edge evaluations, since browsers send theirs there', async () => {
    const context = { targetingKey: 'browser-1', plan: 'pro', country: 'DE' };
    const res = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: { context } });
    expect(res.status).toBe(200);
    const row = await until(
      () => env.DB.prepare(`SELECT context FROM recent_contexts WHERE context_key = 'browser-1'`).first<{ context: string }>(),
      (r) => r !== null,
    );
    expect(JSON.parse(row!.context)).toEqual(context);
  });

  it('drops events for flags that do not exist instead of storing them', async () => {
    const res = await call('/sdk/v1/events', {
      method: 'POST',
      key: LOCAL_KEYS.server,
      json: { events: [exposure('no-such-flag', 'on', 'x'), exposure('bulk-invoice-api', 'off', 'x')] },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: 1 });
    await drain();
    expect(await exposures('bulk-invoice-api')).toEqual({ off: 1 });
    const rows = await env.DB.prepare(`SELECT count(*) AS n FROM exposure_counts WHERE flag_key = 'no-such-flag'`).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  const refused: [string, string, number, string][] = [
    ['not JSON', '{"events": [', 400, 'invalid_json'],
    ['no events', JSON.stringify({ events: [] }), 400, 'invalid_request'],
    [
      'an event without a context key',
      JSON.stringify({ events: [{ flag: 'ai-chatbot', variant: 'on', at: now }] }),
      400,
      'invalid_request',
    ],
    ['a negative time', JSON.stringify({ events: [{ ...exposure('ai-chatbot', 'on', 'k'), at: -1 }] }), 400, 'invalid_request'],
    [
      'too many events',
      JSON.stringify({ events: Array.from({ length: EVENT_LIMITS.events + 1 }, (_, i) => ({ flag: 'f', contextKey: `${i}`, at: 1 })) }),
      400,
      'invalid_request',
    ],
    [
      'a body over the limit',
      JSON.stringify({ events: [exposure('ai-chatbot', 'on', 'x'.repeat(EVENT_LIMITS.bodyBytes))] }),
      413,
      'payload_too_large',
    ],
  ];
  const send = (body: string) =>
    call('/sdk/v1/events', { method: 'POST', key: LOCAL_KEYS.server, body, headers: { 'Content-Type': 'application/json' } });

  it.each(refused)('rejects %s with a clear error', async (_what, body, status, code) => {
    const res = await send(body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('stores nothing from a refused request', async () => {
    await drain();
    const before = await total();
    for (const [, body] of refused) expect((await send(body)).status).toBeGreaterThanOrEqual(400);
    // Whatever a refused request had enqueued is consumed before drain's own exposure, which alone may count.
    await drain();
    expect(await total()).toBe(before + 1);
  });

  it('refuses admin tokens and unknown keys', async () => {
    const json = { events: [exposure('ai-chatbot', 'on', 'k')] };
    expect((await call('/sdk/v1/events', { method: 'POST', key: admin, json })).status).toBe(401);
    expect((await call('/sdk/v1/events', { method: 'POST', key: 'efc_nope', json })).status).toBe(401);
  });
});

describe('what the public client key can write is validated and bounded', () => {
  const fromIp = (ip: string, events: unknown[]) =>
    call('/sdk/v1/events', { method: 'POST', key: LOCAL_KEYS.client, headers: { 'CF-Connecting-IP': ip }, json: { events } });

  it('drops invented variants and server-only flags from a client key before the queue', async () => {
    // Ten such requests once invented 2,000 variant names.
    const invented = Array.from({ length: 400 }, (_, i) => exposure('ai-chatbot', `v-${i}`, `inv-${i}`));
    const res = await fromIp('198.51.100.1', [
      ...invented,
      exposure('bulk-invoice-api', 'on', 'inv-x'),
      exposure('ai-chatbot', 'off', 'inv-ok'),
    ]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: 401 });
    await drain();
    const variants = await env.DB.prepare(`SELECT DISTINCT variant FROM exposure_counts WHERE flag_key = 'ai-chatbot'`).all<{
      variant: string;
    }>();
    expect(variants.results.map((r) => r.variant).sort()).toEqual(['off', 'on']);
    expect(await exposures('bulk-invoice-api')).toEqual({ off: 1 });
  });

  it('counts each (context, flag, variant) once per request', async () => {
    const before = (await exposures('new-pdf-engine')).on ?? 0;
    const res = await fromIp(
      '198.51.100.2',
      Array.from({ length: 300 }, () => exposure('new-pdf-engine', 'on', 'same-user')),
    );
    expect(await res.json()).toEqual({ accepted: 1, dropped: 299 });
    await drain();
    expect((await exposures('new-pdf-engine')).on).toBe(before + 1);
  });

  it("caps one caller's exposures per hour; another caller still counts", { timeout: 60_000 }, async () => {
    // A 20 s flood once recorded 1.3 M fake exposures.
    const cap = SOURCE_LIMITS.exposuresPerHour.client;
    const requests = cap / EVENT_LIMITS.events + 2;
    const before = (await exposures('redesigned-dashboard')).control ?? 0;
    const firstHour = Math.floor(Date.now() / 3_600_000);
    for (let r = 0; r < requests; r++) {
      const events = Array.from({ length: EVENT_LIMITS.events }, (_, i) => exposure('redesigned-dashboard', 'control', `flood-${r}-${i}`));
      expect((await fromIp('203.0.113.66', events)).status).toBe(202);
    }
    await drain();
    const hours = Math.floor(Date.now() / 3_600_000) - firstHour + 1;
    const counted = (await exposures('redesigned-dashboard')).control! - before;
    expect(counted).toBe(Math.min(requests * EVENT_LIMITS.events, cap * hours));
    expect((await fromIp('203.0.113.67', [exposure('redesigned-dashboard', 'control', 'someone-else')])).status).toBe(202);
    await drain();
    expect((await exposures('redesigned-dashboard')).control! - before).toBe(counted + 1);
  });

  it("keeps one caller's share of the impact sample, stamped with server time, whatever time it claims", async () => {
    const real = { targetingKey: 'real-user', plan: 'pro' };
    expect((await fromIp('192.0.2.10', [exposure('ai-chatbot', 'on', 'real-user', real)])).status).toBe(202);
    // Five requests of future-dated contexts once replaced all 1,000 contexts of the sample.
    const future = Date.now() + 365 * 24 * 3_600_000;
    for (let r = 0; r < 5; r++) {
      const events = Array.from({ length: 200 }, (_, i) => ({
        ...exposure('ai-chatbot', 'on', `fake-${r}-${i}`, { targetingKey: `fake-${r}-${i}`, plan: 'free' }),
        at: future,
      }));
      expect((await fromIp('203.0.113.99', events)).status).toBe(202);
    }
    await drain();
    const rows = await env.DB.prepare(
      `SELECT count(*) AS n, max(seen_at) AS newest, count(DISTINCT source) AS sources FROM recent_contexts WHERE context_key LIKE 'fake-%'`,
    ).first<{ n: number; newest: number; sources: number }>();
    expect(rows).toMatchObject({ n: SOURCE_LIMITS.sampleShare.client, sources: 1 });
    expect(rows!.newest).toBeLessThanOrEqual(Date.now());
    const kept = await env.DB.prepare(`SELECT context FROM recent_contexts WHERE context_key = 'real-user'`).first<{ context: string }>();
    expect(JSON.parse(kept!.context)).toEqual(real);
  });

  it('counts an IPv6 caller by its /64: the addresses of one network share one share of the sample', async () => {
    // Every IPv6 host gets a /64 (2^64 addresses) to pick from; counting full addresses gave each a fresh cap.
    for (let i = 1; i <= 15; i++) {
      const events = [exposure('ai-chatbot', 'on', `v6-flood-${i}`, { targetingKey: `v6-flood-${i}` })];
      expect((await fromIp(`2001:db8:aa:bb:${i.toString(16)}::${i}`, events)).status).toBe(202);
    }
    // Another network, written in full with leading zeros, is another caller.
    const other = [exposure('ai-chatbot', 'on', 'v6-flood-other', { targetingKey: 'v6-flood-other' })];
    expect((await fromIp('2001:0db8:00aa:00cc:0000:0000:0000:0001', other)).status).toBe(202);
    await drain();
    const rows = await env.DB.prepare(
      `SELECT count(*) AS n, count(DISTINCT source) AS sources FROM recent_contexts WHERE context_key LIKE 'v6-flood-%'`,
    ).first<{ n: number; sources: number }>();
    expect(rows).toMatchObject({ n: SOURCE_LIMITS.sampleShare.client + 1, sources: 2 });
  });

  it('bounds what edge evaluations add to the sample per caller too', async () => {
    for (let i = 0; i < 15; i++) {
      const res = await call('/sdk/v1/evaluate', {
        method: 'POST',
        key: LOCAL_KEYS.client,
        headers: { 'CF-Connecting-IP': '203.0.113.120' },
        json: { context: { targetingKey: `eval-flood-${i}` } },
      });
      expect(res.status).toBe(200);
    }
    const share = SOURCE_LIMITS.sampleShare.client;
    const flood = () =>
      env.DB.prepare(
        `SELECT count(*) AS n, group_concat(DISTINCT source) AS sources FROM recent_contexts WHERE context_key LIKE 'eval-flood-%'`,
      ).first<{
        n: number;
        sources: string;
      }>();
    await until(flood, (r) => (r?.n ?? 0) >= share);
    await drain();
    const rows = await flood();
    expect(rows?.n).toBe(share);
    expect(rows?.sources).toMatch(/^ip:[0-9a-f]{16}$/);
  });
});

describe('change impact (POST /api/v1/flags/{key}/environments/{env}/impact)', () => {
  it('counts the recent contexts whose value would change, and saves nothing', async () => {
    const contexts = Array.from({ length: 40 }, (_, i) => ({ targetingKey: `imp-${i}`, plan: i % 2 ? 'free' : 'pro', country: 'US' }));
    const res = await call('/sdk/v1/events', {
      method: 'POST',
      key: LOCAL_KEYS.server,
      json: { events: contexts.map((c) => exposure('maintenance-mode', 'off', c.targetingKey, c)) },
    });
    expect(res.status).toBe(202);
    await until(
      () => env.DB.prepare(`SELECT count(*) AS n FROM recent_contexts WHERE context_key LIKE 'imp-%'`).first<{ n: number }>(),
      (r) => r?.n === 40,
    );
    const cfg = await call('/api/v1/flags/maintenance-mode/environments/development', { key: admin });
    const before = (await cfg.json()) as { version: number };
    // Proposed: turn the kill switch on for free plans only.
    const proposed = {
      enabled: true,
      offVariant: 'off',
      rules: [{ id: 'free', conditions: [{ attribute: 'plan', op: 'in', values: ['free'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    };
    const impact = await call('/api/v1/flags/maintenance-mode/environments/development/impact', {
      method: 'POST',
      key: admin,
      json: proposed,
    });
    expect(impact.status).toBe(200);
    const body = (await impact.json()) as {
      sampled: number;
      sources: number;
      changed: number;
      examples: { context: { plan: string }; after: { value: unknown } }[];
    };
    const stored = await env.DB.prepare(
      `SELECT count(*) AS n, sum(json_extract(context, '$.plan') = 'free') AS free, count(DISTINCT source) AS sources
       FROM recent_contexts WHERE environment = 'development'`,
    ).first<{ n: number; free: number; sources: number }>();
    expect(body.sampled).toBe(stored?.n);
    // The answer says how many callers the sample comes from, each holding a capped share.
    expect(body.sources).toBe(stored?.sources);
    expect(body.sources).toBeGreaterThan(1);
    expect(body.changed).toBe(stored?.free);
    expect(body.changed).toBeGreaterThanOrEqual(20);
    expect(body.examples.every((e) => e.context.plan === 'free' && e.after.value === true)).toBe(true);
    const again = (await (await call('/api/v1/flags/maintenance-mode/environments/development', { key: admin })).json()) as {
      version: number;
    };
    expect(again.version).toBe(before.version);
  });

  it('answers an invalid proposal with the validation envelope and the field path', async () => {
    const res = await call('/api/v1/flags/maintenance-mode/environments/development/impact', {
      method: 'POST',
      key: admin,
      json: { enabled: true, offVariant: 'off', defaultServe: { variant: 'nope' } },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('rule_violation');
    expect(JSON.stringify(body.error.details)).toContain('defaultServe');
  });
});

describe('GET /api/v1/me', () => {
  it('tells the admin app who the token belongs to', async () => {
    const res = await call('/api/v1/me', { key: admin });
    expect(await res.json()).toMatchObject({ name: 'local admin', role: 'admin', productionAccess: true });
    expect((await call('/api/v1/me')).status).toBe(401);
  });
});
