// Issue 8 items 7 and 10: revoking a key ends its open streams and its signed stream URLs at
// once; keys and tokens can expire, and rotate with an overlap after which the old one ends.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../src/index.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { closeAll, createKey, hubStats, isOpen, openSocket, openSse } from './stream-helpers.ts';

beforeAll(seed);
afterEach(() => {
  vi.restoreAllMocks();
  closeAll();
});

const ctx = { context: { targetingKey: 'u', accountId: 'acct-1' } };
const evaluate = (key: string) => call('/sdk/v1/evaluate', { method: 'POST', key, json: ctx });
const admin = (path: string, init: { method?: string; json?: unknown; key?: string } = {}) =>
  call(`/api/v1${path}`, { method: init.method ?? 'GET', key: init.key ?? LOCAL_KEYS.admin, json: init.json });

async function ofrepStreamUrl(key: string): Promise<string> {
  const res = await call('/ofrep/v1/evaluate/flags', { method: 'POST', key, json: ctx });
  expect(res.status).toBe(200);
  const { eventStreams } = (await res.json()) as { eventStreams: { url: string }[] };
  return new URL(eventStreams[0]!.url).pathname + new URL(eventStreams[0]!.url).search;
}

describe('revocation', () => {
  it("ends the key's WebSocket, SSE and OFREP streams at once, and only its own", async () => {
    const server = await createKey('server');
    const client = await createKey('client');
    const other = await createKey('client');
    const before = await hubStats();

    const socket = await openSocket(server.secret);
    isOpen(socket);
    const sse = await openSse(`/sdk/v1/stream?key=${client.secret}`);
    isOpen(sse);
    const ofrep = await openSse(await ofrepStreamUrl(client.secret));
    isOpen(ofrep);
    const staying = await openSse(`/sdk/v1/stream?key=${other.secret}`);
    isOpen(staying);
    expect((await hubStats()).connections).toMatchObject({
      server: before.connections.server + 1,
      client: before.connections.client + 2,
      ofrep: before.connections.ofrep + 1,
    });

    const revokedServer = await admin(`/sdk-keys/${server.id}`, { method: 'DELETE' });
    expect(revokedServer.status).toBe(200);
    expect(await revokedServer.json()).toMatchObject({ id: server.id, streamsClosed: 1 });
    expect(await socket.closed).toEqual({ code: 4001, reason: 'key revoked or expired' });

    const revokedClient = await admin(`/sdk-keys/${client.id}`, { method: 'DELETE' });
    expect(await revokedClient.json()).toMatchObject({ streamsClosed: 2 });
    expect(await sse.ended()).toContain(': key revoked or expired');
    expect(await ofrep.ended()).toContain(': key revoked or expired');

    // The hub counts what is left: the other key's stream only.
    expect((await hubStats()).connections).toMatchObject({
      server: before.connections.server,
      client: before.connections.client + 1,
      ofrep: before.connections.ofrep,
    });
  });

  it("refuses new streams and the key's signed OFREP stream URL at once", async () => {
    const client = await createKey('client');
    const url = await ofrepStreamUrl(client.secret);
    expect(await admin(`/sdk-keys/${client.id}`, { method: 'DELETE' })).toHaveProperty('status', 200);

    const viaToken = await openSse(url);
    expect(viaToken).toBeInstanceOf(Response);
    expect((viaToken as Response).status).toBe(401);
    const viaKey = await openSse(`/sdk/v1/stream?key=${client.secret}`);
    expect((viaKey as Response).status).toBe(401);
  });

  it('refuses a stream for a key revoked by another isolate while this one still caches it', async () => {
    const client = await createKey('client');
    expect((await evaluate(client.secret)).status).toBe(200);
    // Another isolate revoked it: D1 changed, this isolate's cache did not hear of it.
    await env.DB.prepare('UPDATE sdk_keys SET revoked_at = ? WHERE id = ?').bind(Date.now(), client.id).run();
    // Evaluation is served from the cache for at most KEY_CACHE_MS (docs/keys.md) ...
    expect((await evaluate(client.secret)).status).toBe(200);
    // ... but a stream, which would outlive that cache, reads the key fresh.
    expect(((await openSse(`/sdk/v1/stream?key=${client.secret}`)) as Response).status).toBe(401);
  });

  it('closes the race between the Worker check and the revocation: the hub refuses a revoked key', async () => {
    const hub = env.HUB.getByName(`revoked-race-${crypto.randomUUID()}`);
    expect(await hub.closeKey('key-gone')).toEqual({ closed: 0 });
    const res = await hub.fetch('http://hub/connect', {
      headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server', 'X-Edgeflags-Key-Id': 'key-gone' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it("ends a revoked admin token's change streams", async () => {
    const created = await admin('/admin-tokens', { method: 'POST', json: { name: 'console', role: 'viewer' } });
    const token = (await created.json()) as { id: string; secret: string };
    const changes = await openSse('/api/v1/environments/development/changes', token.secret);
    isOpen(changes);
    const revoked = await admin(`/admin-tokens/${token.id}`, { method: 'DELETE' });
    expect(await revoked.json()).toMatchObject({ streamsClosed: 1 });
    expect(await changes.ended()).toContain(': key revoked or expired');
    expect((await admin('/flags', { key: token.secret })).status).toBe(401);
  });
});

/** Hubs whose `closeKey` fails (unreachable at the moment of a revocation); the rest is the real hub. */
function hubsCannotCloseKeys() {
  const original = env.HUB.getByName.bind(env.HUB);
  return vi.spyOn(env.HUB, 'getByName').mockImplementation((name: string) => {
    const stub = original(name);
    const closeKey = () => Promise.reject(new Error('hub unreachable'));
    return new Proxy(stub, {
      get: (target, prop) => (prop === 'closeKey' ? closeKey : (target as unknown as Record<PropertyKey, unknown>)[prop]),
    });
  });
}

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled?.(createScheduledController({ cron: '* * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('ending streams when the hub could not be told', { timeout: 20_000 }, () => {
  it("the cron ends a revoked key's open stream that the revocation could not reach", async () => {
    const key = await createKey('client');
    const sse = await openSse(`/sdk/v1/stream?key=${key.secret}`);
    isOpen(sse);
    hubsCannotCloseKeys();
    const revoked = await admin(`/sdk-keys/${key.id}`, { method: 'DELETE' });
    expect(await revoked.json()).toMatchObject({ streamsClosed: null });
    vi.restoreAllMocks();
    // A second DELETE is 404: before the cron, nothing would ever end this stream.
    expect((await admin(`/sdk-keys/${key.id}`, { method: 'DELETE' })).status).toBe(404);
    await runCron();
    expect(await sse.ended()).toContain(': key revoked or expired');
  });

  it("the cron ends a rotated key's stream at the end of its overlap when the rotation could not tell the hub", async () => {
    const old = await createKey('server');
    const socket = await openSocket(old.secret);
    isOpen(socket);
    hubsCannotCloseKeys();
    expect((await admin(`/sdk-keys/${old.id}/rotate`, { method: 'POST', json: { overlapSeconds: 0 } })).status).toBe(200);
    vi.restoreAllMocks();
    await runCron();
    expect(await socket.closed).toEqual({ code: 4001, reason: 'key revoked or expired' });
  });

  it("the cron ends a revoked admin token's change streams", async () => {
    const created = await admin('/admin-tokens', { method: 'POST', json: { name: 'console', role: 'viewer' } });
    const token = (await created.json()) as { id: string; secret: string };
    const changes = await openSse('/api/v1/environments/development/changes', token.secret);
    isOpen(changes);
    hubsCannotCloseKeys();
    expect(await (await admin(`/admin-tokens/${token.id}`, { method: 'DELETE' })).json()).toMatchObject({ streamsClosed: null });
    vi.restoreAllMocks();
    await runCron();
    expect(await changes.ended()).toContain(': key revoked or expired');
  });
});

describe('expiry', () => {
  it('refuses a key created with a past expiry (422) and accepts a future one', async () => {
    const past = await admin('/sdk-keys', {
      method: 'POST',
      json: { kind: 'client', environment: 'development', name: 'x', expiresAt: Date.now() - 1 },
    });
    expect(past.status).toBe(422);
    expect(await past.json()).toMatchObject({ error: { code: 'rule_violation' } });
    const tokenPast = await admin('/admin-tokens', { method: 'POST', json: { name: 'x', role: 'viewer', expiresAt: 1 } });
    expect(tokenPast.status).toBe(422);
    const future = await createKey('client', { expiresAt: Date.now() + 60_000 });
    expect(future.expiresAt).toBeGreaterThan(Date.now());
    expect((await evaluate(future.secret)).status).toBe(200);
  });

  it('refuses an SDK key after its expiry and ends its streams then, from the hub alarm', async () => {
    const key = await createKey('server', { expiresAt: Date.now() + 1000 });
    expect((await evaluate(key.secret)).status).toBe(200);
    const socket = await openSocket(key.secret);
    isOpen(socket);
    // Nothing is published: the hub's alarm at the expiry ends the stream.
    expect(await socket.closed).toEqual({ code: 4001, reason: 'key revoked or expired' });
    const res = await evaluate(key.secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: 'this SDK key has expired' } });
  });

  it('refuses an admin token after its expiry', async () => {
    const created = await admin('/admin-tokens', { method: 'POST', json: { name: 'short', role: 'viewer', expiresAt: Date.now() + 300 } });
    const token = (await created.json()) as { secret: string };
    expect((await admin('/flags', { key: token.secret })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await admin('/flags', { key: token.secret })).status).toBe(401);
  });

  it("ends an expiring admin token's change streams at its expiry, from the hub alarm", async () => {
    const created = await admin('/admin-tokens', {
      method: 'POST',
      json: { name: 'console', role: 'viewer', expiresAt: Date.now() + 1000 },
    });
    const token = (await created.json()) as { secret: string };
    const changes = await openSse('/api/v1/environments/development/changes', token.secret);
    isOpen(changes);
    // Nothing is published and nothing is revoked: only the expiry can end it.
    expect(await changes.ended(4000)).toContain(': key revoked or expired');
  });
});

describe('rotation', () => {
  it('mints a replacement; the old key works during the overlap, then is refused and its streams end', async () => {
    const old = await createKey('server');
    const socket = await openSocket(old.secret);
    isOpen(socket);
    const res = await admin(`/sdk-keys/${old.id}/rotate`, { method: 'POST', json: { overlapSeconds: 1 } });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as {
      id: string;
      secret: string;
      kind: string;
      environment: string;
      replaced: { id: string; replacedBy: string; expiresAt: number };
    };
    expect(rotated).toMatchObject({ kind: 'server', environment: 'development', expiresAt: null, revokedAt: null });
    expect(rotated.secret).toMatch(/^efs_[0-9A-Za-z]{32}$/);
    expect(rotated.replaced).toMatchObject({ id: old.id, replacedBy: rotated.id });
    expect(rotated.replaced.expiresAt - Date.now()).toBeLessThanOrEqual(1000);

    // During the overlap both work, and the old key cannot be rotated twice.
    expect((await evaluate(old.secret)).status).toBe(200);
    expect((await evaluate(rotated.secret)).status).toBe(200);
    const twice = await admin(`/sdk-keys/${old.id}/rotate`, { method: 'POST', json: { overlapSeconds: 60 } });
    expect(twice.status).toBe(409);

    expect(await socket.closed).toEqual({ code: 4001, reason: 'key revoked or expired' });
    expect((await evaluate(old.secret)).status).toBe(401);
    expect((await evaluate(rotated.secret)).status).toBe(200);

    const audit = await admin(`/audit?limit=20`);
    const entries = ((await audit.json()) as { entries: Array<{ action: string; resourceKey: string }> }).entries;
    expect(entries.some((e) => e.action === 'sdk_key.rotate' && e.resourceKey === old.id)).toBe(true);
  });

  it('with no overlap, ends the old key and its streams at once', async () => {
    const old = await createKey('client');
    const sse = await openSse(`/sdk/v1/stream?key=${old.secret}`);
    isOpen(sse);
    const res = await admin(`/sdk-keys/${old.id}/rotate`, { method: 'POST', json: { overlapSeconds: 0 } });
    const rotated = (await res.json()) as { secret: string };
    expect(await sse.ended()).toContain(': key revoked or expired');
    expect((await evaluate(old.secret)).status).toBe(401);
    expect((await evaluate(rotated.secret)).status).toBe(200);
  });

  it('rotates an admin token: same role, both work during the overlap, the old one is refused after', async () => {
    const created = await admin('/admin-tokens', { method: 'POST', json: { name: 'ci', role: 'editor', productionAccess: false } });
    const old = (await created.json()) as { id: string; secret: string };
    const res = await admin(`/admin-tokens/${old.id}/rotate`, { method: 'POST', json: { overlapSeconds: 3600 } });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as {
      id: string;
      secret: string;
      role: string;
      productionAccess: boolean;
      replaced: { expiresAt: number };
    };
    expect(rotated).toMatchObject({ role: 'editor', productionAccess: false });
    expect(rotated.replaced.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await admin('/flags', { key: old.secret })).status).toBe(200);
    expect((await admin('/flags', { key: rotated.secret })).status).toBe(200);

    const again = await admin(`/admin-tokens/${rotated.id}/rotate`, { method: 'POST', json: { overlapSeconds: 0 } });
    const third = (await again.json()) as { secret: string };
    expect((await admin('/flags', { key: rotated.secret })).status).toBe(401);
    expect((await admin('/flags', { key: third.secret })).status).toBe(200);
  });

  it('refuses bad rotations with the usual codes and changes nothing', async () => {
    const key = await createKey('client');
    expect((await admin(`/sdk-keys/${key.id}/rotate`, { method: 'POST', json: { overlapSeconds: -1 } })).status).toBe(400);
    expect((await admin(`/sdk-keys/${key.id}/rotate`, { method: 'POST', json: { overlapSeconds: 1e9 } })).status).toBe(400);
    expect((await admin(`/sdk-keys/${crypto.randomUUID()}/rotate`, { method: 'POST', json: {} })).status).toBe(404);
    await admin(`/sdk-keys/${key.id}`, { method: 'DELETE' });
    expect((await admin(`/sdk-keys/${key.id}/rotate`, { method: 'POST', json: {} })).status).toBe(404);
    const replaced = await env.DB.prepare('SELECT replaced_by FROM sdk_keys WHERE id = ?')
      .bind(key.id)
      .first<{ replaced_by: string | null }>();
    expect(replaced?.replaced_by).toBeNull();
  });
});
