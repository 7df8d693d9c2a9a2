// Signed webhooks end to end inside workerd: admin write → audit log (the outbox) → dispatcher →
// the real WEBHOOKS queue → consumer → a receiver. The receiver is the only mock: a stand-in for
// the outside world on fetch, which can also fail on purpose (500s) to drive retries and dead letters.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../src/index.ts';
import { cursorStatementsForNewHook, dispatchWebhooks } from '../src/webhooks/dispatch.ts';
import { verifySignature } from '../src/webhooks/signature.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;

interface Received {
  path: string;
  at: number;
  body: string;
  headers: Headers;
}

const received: Received[] = [];
/** Status the receiver answers per path: a list is consumed one answer per request, then 200. */
const script = new Map<string, number[] | number>();

const realFetch = globalThis.fetch;
beforeAll(async () => {
  await seed();
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.host !== 'receiver.test') return realFetch(input, init);
    received.push({ path: url.pathname, at: Date.now(), body: await req.text(), headers: req.headers });
    const plan = script.get(url.pathname);
    const status = Array.isArray(plan) ? (plan.shift() ?? 200) : (plan ?? 200);
    return new Response(status === 200 ? 'ok' : 'boom', { status });
  });
});
afterAll(() => vi.restoreAllMocks());

const at = (path: string) => received.filter((r) => r.path === path);

async function until<T>(read: () => T | Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createHook(path: string, body: Record<string, unknown> = {}) {
  const res = await call('/api/v1/webhooks', { method: 'POST', key: A, json: { url: `https://receiver.test${path}`, ...body } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { id: string; secret: string; events: string[]; format: string };
}

const deleteHook = (id: string) => call(`/api/v1/webhooks/${id}`, { method: 'DELETE', key: A });

async function toggle(flag: string, enabled: boolean, reason = 'webhook test') {
  const cfg = `/api/v1/flags/${flag}/environments/development`;
  const { version } = (await (await call(cfg, { key: A })).json()) as { version: number };
  const res = await call(`${cfg}/toggle`, { method: 'POST', key: A, json: { enabled, version, reason } });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('the webhook admin API', () => {
  it('shows the secret once, at creation, and never in the list', async () => {
    const hook = await createHook('/list', { events: ['flag.*'] });
    expect(hook.secret).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
    const list = (await (await call('/api/v1/webhooks', { key: A })).json()) as { webhooks: Record<string, unknown>[] };
    const listed = list.webhooks.find((w) => w.id === hook.id);
    expect(listed).toMatchObject({ url: 'https://receiver.test/list', events: ['flag.*'], format: 'json', enabled: true });
    expect(JSON.stringify(list)).not.toContain(hook.secret);
    expect((await deleteHook(hook.id)).status).toBe(200);
    expect((await deleteHook(hook.id)).status).toBe(404);
  });

  it.each([
    ['a javascript: url', { url: 'javascript:alert(1)' }],
    ['an ftp url', { url: 'ftp://files.example.com/x' }],
    ['an unknown format', { url: 'https://receiver.test/x', format: 'xml' }],
    ['a malformed filter', { url: 'https://receiver.test/x', events: ['flag.**'] }],
  ])('refuses %s with 400 invalid_request and creates nothing', async (_, json) => {
    const before = await (await call('/api/v1/webhooks', { key: A })).text();
    const res = await call('/api/v1/webhooks', { method: 'POST', key: A, json });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(await (await call('/api/v1/webhooks', { key: A })).text()).toBe(before);
  });

  it('records who created a hook in the audit log by origin only (a Slack URL path is a credential)', async () => {
    const hook = await createHook('/T000/B000/secret-path');
    const audit = (await (await call(`/api/v1/audit?flag=${hook.id}`, { key: A })).json()) as { entries: { after: { url: string } }[] };
    expect(audit.entries[0]?.after.url).toBe('https://receiver.test');
    await deleteHook(hook.id);
  });
});

describe('a flag change becomes a signed event', () => {
  it('delivers the toggle to the receiver with a signature that verifies and the documented shape', async () => {
    const hook = await createHook('/signed', { events: ['flag.*'] });
    await toggle('ai-chatbot', false, 'spike in errors');
    const [got] = await until(
      () => at('/signed'),
      (r) => r.length >= 1,
      'the signed delivery',
    );
    const event = JSON.parse(got!.body);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_\d+$/),
      type: 'flag.disable',
      environment: 'development',
      flag: 'ai-chatbot',
      actor: expect.stringContaining('('),
      data: { action: 'flag.disable', resourceType: 'flag_config', resourceKey: 'ai-chatbot', reason: 'spike in errors' },
    });
    expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(got!.headers.get('Edgeflags-Event')).toBe('flag.disable');
    expect(got!.headers.get('Edgeflags-Delivery')).toBe(`${event.id}.${hook.id}`);
    const signature = got!.headers.get('Edgeflags-Signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifySignature(hook.secret, got!.body, signature)).toBe(true);
    // The signature covers the body and the time: a changed body, another secret or a replay an hour later fail.
    expect(await verifySignature(hook.secret, got!.body.replace('spike', 'spoke'), signature)).toBe(false);
    expect(await verifySignature('whsec_other', got!.body, signature)).toBe(false);
    expect(await verifySignature(hook.secret, got!.body, signature, Math.floor(Date.now() / 1000) + 3600)).toBe(false);
    await toggle('ai-chatbot', true);
    await deleteHook(hook.id);
  });

  it('sends only what the filter takes: a release.* hook hears no flag change', async () => {
    const flags = await createHook('/filter-flags', { events: ['flag.enable'] });
    const releases = await createHook('/filter-releases', { events: ['release.*'] });
    await toggle('new-pdf-engine', false);
    await toggle('new-pdf-engine', true);
    const got = await until(
      () => at('/filter-flags'),
      (r) => r.length >= 1,
      'the flag.enable delivery',
    );
    expect(got.map((r) => r.headers.get('Edgeflags-Event'))).toEqual(['flag.enable']);
    expect(at('/filter-releases')).toHaveLength(0);
    await deleteHook(flags.id);
    await deleteHook(releases.id);
  });

  it('posts a Slack incoming-webhook message (text + blocks) for the slack format, with markup escaped', async () => {
    const hook = await createHook('/slack', { format: 'slack' });
    await toggle('ai-chatbot', false, 'see <!channel> & <https://evil.example|here>');
    const [got] = await until(
      () => at('/slack'),
      (r) => r.length >= 1,
      'the slack delivery',
    );
    const message = JSON.parse(got!.body);
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    expect(message.text).toBe(':rotating_light: ai-chatbot: turned off in development');
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('*ai-chatbot*: turned off in *development*') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringContaining('flag.disable · by ') }] },
    ]);
    expect(message.blocks[0].text.text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|here&gt;');
    expect(got!.body).not.toContain('<!channel>');
    expect(await verifySignature(hook.secret, got!.body, got!.headers.get('Edgeflags-Signature'))).toBe(true);
    await toggle('ai-chatbot', true);
    await deleteHook(hook.id);
  });
});

describe('retries and dead letters', () => {
  it('retries a 500 after the backoff delay, and the retry carries the same delivery id', async () => {
    script.set('/flaky', [500]);
    const hook = await createHook('/flaky', { events: ['flag.disable'] });
    await toggle('new-pdf-engine', false);
    const got = await until(
      () => at('/flaky'),
      (r) => r.length >= 2,
      'the retried delivery',
    );
    expect(got[1]!.headers.get('Edgeflags-Delivery')).toBe(got[0]!.headers.get('Edgeflags-Delivery'));
    expect(got[1]!.body).toBe(got[0]!.body);
    // WEBHOOK_RETRY_BASE_SECONDS is 1 in tests: the queue held the retry at least that long.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    const failures = (await (await call(`/api/v1/webhook-failures?webhook=${hook.id}`, { key: A })).json()) as { failures: unknown[] };
    expect(failures.failures).toEqual([]);
    await toggle('new-pdf-engine', true);
    await deleteHook(hook.id);
  });

  it('after the last attempt (3 in tests) records a dead letter with the last status, listed by the API', async () => {
    script.set('/down', 500);
    const hook = await createHook('/down', { events: ['flag.disable'] });
    await toggle('ai-chatbot', false);
    const page = await until(
      async () =>
        (await (await call(`/api/v1/webhook-failures?webhook=${hook.id}`, { key: A })).json()) as { failures: Record<string, unknown>[] },
      (p) => p.failures.length > 0,
      'the dead letter',
      30_000,
    );
    expect(at('/down')).toHaveLength(3);
    // Exponential: 1 s, then 2 s.
    const [a, b, c] = at('/down').map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(900);
    expect(c! - b!).toBeGreaterThanOrEqual(1_900);
    expect(page.failures).toEqual([
      expect.objectContaining({ webhookId: hook.id, eventType: 'flag.disable', attempts: 3, lastStatus: 500, lastError: 'answered 500' }),
    ]);
    expect(JSON.parse(page.failures[0]!.payload as string)).toMatchObject({ type: 'flag.disable', flag: 'ai-chatbot' });
    // Deleting the hook takes its dead letters with it.
    await deleteHook(hook.id);
    const after = (await (await call(`/api/v1/webhook-failures?webhook=${hook.id}`, { key: A })).json()) as { failures: unknown[] };
    expect(after.failures).toEqual([]);
    await toggle('ai-chatbot', true);
  }, 40_000);

  it('sends a test event at once and answers what the receiver said', async () => {
    script.set('/test-event', [503]);
    const hook = await createHook('/test-event');
    const first = await call(`/api/v1/webhooks/${hook.id}/test`, { method: 'POST', key: A, json: {} });
    expect(await first.json()).toMatchObject({ delivered: false, status: 503, error: 'answered 503' });
    const second = await call(`/api/v1/webhooks/${hook.id}/test`, { method: 'POST', key: A, json: {} });
    expect(await second.json()).toMatchObject({ delivered: true, status: 200, error: null });
    const [, got] = at('/test-event');
    expect(got!.headers.get('Edgeflags-Event')).toBe('webhook.test');
    expect(await verifySignature(hook.secret, got!.body, got!.headers.get('Edgeflags-Signature'))).toBe(true);
    await deleteHook(hook.id);
  });
});

describe('release events', () => {
  it('sends the conductor’s own decision at once, with no admin write or cron after it', async () => {
    const hook = await createHook('/conductor', { events: ['release.*'] });
    const stages = [{ percentage: 100, minDurationSeconds: 0, minSamples: 0, approval: 'auto', checks: {} }];
    const res = await call('/api/v1/flags/bulk-invoice-api/environments/development/releases', {
      method: 'POST',
      key: A,
      json: { stages, settings: { windowSeconds: 1 }, start: true },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // Its alarm fires one window (1 s) later by itself; nothing else writes or runs the cron.
    const got = await until(
      () => at('/conductor'),
      (r) => r.length >= 3,
      'the conductor’s decision',
    );
    expect(got.map((r) => r.headers.get('Edgeflags-Event'))).toEqual(['release.created', 'release.started', 'release.completed']);
    const decision = JSON.parse(got[2]!.body);
    expect(decision).toMatchObject({
      type: 'release.completed',
      flag: 'bulk-invoice-api',
      actor: expect.stringContaining('release conductor'),
    });
    await deleteHook(hook.id);
  }, 15_000);
});

describe('the cursor', () => {
  /** Audit entries written straight to D1, so no write's own dispatch runs: only the test's dispatchers. */
  async function auditDirectly(n: number, resourceType = 'flag_config', action = 'flag.enable', after: unknown = null) {
    const stmt = env.DB.prepare(
      `INSERT INTO audit_log (actor, action, resource_type, resource_key, environment, after) VALUES ('test (t)', ?, ?, 'ai-chatbot', 'development', ?)`,
    );
    await env.DB.batch(Array.from({ length: n }, () => stmt.bind(action, resourceType, after === null ? null : JSON.stringify(after))));
  }

  it('claims every entry exactly once when five dispatchers run at the same time', async () => {
    // Created in D1 directly: an API write would start its own dispatch, racing the five below.
    const hook = { id: crypto.randomUUID() };
    await env.DB.batch([
      ...cursorStatementsForNewHook(env.DB),
      env.DB.prepare(
        `INSERT INTO webhooks (id, url, secret, events, format, created_by, created_at) VALUES (?, 'https://receiver.test/concurrent', 'whsec_x', '["flag.*"]', 'json', 'test', 0)`,
      ).bind(hook.id),
    ]);
    await auditDirectly(30);
    const runs = await Promise.all(Array.from({ length: 5 }, () => dispatchWebhooks(env, { pageSize: 7 })));
    const claimed = runs.flatMap((r) => r.claimed);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed).toHaveLength(30);
    expect(
      runs.reduce((n, r) => n + r.lostRaces, 0),
      'the runs did overlap',
    ).toBeGreaterThan(0);
    const got = await until(
      () => at('/concurrent'),
      (r) => r.length >= 30,
      'thirty deliveries',
    );
    await new Promise((r) => setTimeout(r, 2_500)); // a duplicate would arrive within a batch timeout or two
    const ids = at('/concurrent').map((r) => r.headers.get('Edgeflags-Delivery'));
    expect(new Set(ids).size).toBe(got.length);
    expect(at('/concurrent')).toHaveLength(30);
    await deleteHook(hook.id);
  }, 20_000);

  it('a hook created while older entries wait hears only what came after its creation', async () => {
    const older = await createHook('/older', { events: ['flag.*'] });
    await auditDirectly(1, 'flag_config', 'flag.update'); // not dispatched yet: the backlog
    const newer = await createHook('/newer', { events: ['flag.*'] });
    await toggle('redesigned-dashboard', false);
    await until(
      () => at('/older'),
      (r) => r.length >= 2,
      'the backlog and the toggle',
    );
    await until(
      () => at('/newer'),
      (r) => r.length >= 1,
      'the toggle',
    );
    expect(at('/older').map((r) => r.headers.get('Edgeflags-Event'))).toEqual(['flag.update', 'flag.disable']);
    expect(at('/newer').map((r) => r.headers.get('Edgeflags-Event'))).toEqual(['flag.disable']);
    await toggle('redesigned-dashboard', true);
    await deleteHook(older.id);
    await deleteHook(newer.id);
  });

  it('the cron sends what no write dispatched, including the release conductor’s decisions', async () => {
    const hook = await createHook('/cron', { events: ['release.*'] });
    await auditDirectly(1, 'release', 'release.rolled_back', { flagKey: 'new-pdf-engine', stage: 0 });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await waitOnExecutionContext(ctx);
    const [got] = await until(
      () => at('/cron'),
      (r) => r.length >= 1,
      'the release event',
    );
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'release.rolled_back', flag: 'new-pdf-engine', environment: 'development' });
    await deleteHook(hook.id);
  });
});
