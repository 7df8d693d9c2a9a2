// Issue 8 item 15: streams per caller, per key and per environment are capped with a clear
// 429, and the hub's counts drop as soon as a stream closes. Runs in its own project
// (workers/vitest.streamcaps.config.ts) with caps of 2 per caller, 4 per key, 6 per environment.
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seed } from './seed.ts';
import { closeAll, createKey, hubStats, isOpen, type OpenSocket, type OpenSse, openSocket, openSse, until } from './stream-helpers.ts';

beforeAll(seed);
afterEach(closeAll);

const from = (ip: string) => ({ 'CF-Connecting-IP': ip });

async function expectCapped(res: OpenSse | OpenSocket | Response, cap: RegExp) {
  expect(res).toBeInstanceOf(Response);
  const refusal = res as Response;
  expect(refusal.status).toBe(429);
  expect(refusal.headers.get('Retry-After')).toBe('60');
  const body = (await refusal.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('stream_limit');
  expect(body.error.message).toMatch(cap);
}

describe('stream caps', () => {
  it('refuses a third stream from one caller of a public key, SSE and WebSocket alike', async () => {
    const key = await createKey('client', {}, 'development');
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.1')));
    isOpen(await openSocket(key.secret, from('203.0.113.1')));
    await expectCapped(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.1')), /caller .* cap of 2/);
    await expectCapped(await openSocket(key.secret, from('203.0.113.1')), /cap of 2/);
    // Another caller of the same public key is not held back by the first.
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.2')));
    expect((await hubStats('development')).connections.client).toBe(3);
  });

  it('counts an IPv6 caller by its /64, so new addresses from one network do not reset its cap', async () => {
    const key = await createKey('client', {}, 'development');
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('2001:db8:5:6::1')));
    isOpen(await openSocket(key.secret, from('2001:db8:5:6:ffff:1:2:3')));
    await expectCapped(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('2001:0db8:0005:0006::9')), /caller .* cap of 2/);
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('2001:db8:5:7::1')));
  });

  it('refuses the fifth stream of one key across callers', async () => {
    const key = await createKey('server', {}, 'staging');
    for (let i = 1; i <= 4; i++) isOpen(await openSocket(key.secret, from(`198.51.100.${i}`)));
    await expectCapped(await openSocket(key.secret, from('198.51.100.9')), /key holds 4 streams, its cap of 4/);
    expect((await hubStats('staging')).connections.server).toBe(4);
  });

  it('refuses past the environment cap, whichever key asks', async () => {
    const a = await createKey('server', {}, 'production');
    const b = await createKey('client', {}, 'production');
    for (let i = 1; i <= 4; i++) isOpen(await openSocket(a.secret, from(`192.0.2.${i}`)));
    isOpen(await openSse(`/sdk/v1/stream?key=${b.secret}`, undefined, from('192.0.2.10')));
    isOpen(await openSse(`/sdk/v1/stream?key=${b.secret}`, undefined, from('192.0.2.11')));
    await expectCapped(
      await openSse(`/sdk/v1/stream?key=${b.secret}`, undefined, from('192.0.2.12')),
      /environment holds 6 streams, its cap of 6/,
    );
  });
});

describe('connection counts', () => {
  it('drop as soon as SSE readers cancel and WebSockets close, with no publish or heartbeat, freeing the cap', async () => {
    const key = await createKey('client', {}, 'development');
    const base = (await hubStats('development')).connections.client;
    const sse = await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.50'));
    isOpen(sse);
    const socket = await openSocket(key.secret, from('203.0.113.50'));
    isOpen(socket);
    expect((await hubStats('development')).connections.client).toBe(base + 2);

    await sse.cancel();
    await until(
      () => hubStats('development'),
      (stats) => stats.connections.client === base + 1,
    );
    socket.ws.close(1000, 'done');
    await until(
      () => hubStats('development'),
      (stats) => stats.connections.client === base,
    );
    // The caller's two slots are free again.
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.50')));
    isOpen(await openSocket(key.secret, from('203.0.113.50')));
  });

  it('probes open SSE streams every 5 s: the runtime reports a vanished client only when a write to it fails', async () => {
    const key = await createKey('client', {}, 'staging');
    isOpen(await openSse(`/sdk/v1/stream?key=${key.secret}`, undefined, from('203.0.113.60')));
    // Read after the stream opened, so the alarm (set while opening) is at most 5 s ahead of it.
    const alarm = await runInDurableObject(env.HUB.getByName('staging'), (_hub, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm! - Date.now()).toBeLessThanOrEqual(5_000);
  });
});
