// Issue 8 item 8: stream tokens are parsed strictly, their signature is checked with
// crypto.subtle.verify (constant time), and the key they name must still be live in its
// environment when the stream opens.
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signStreamToken, verifyStreamToken } from '../src/auth/stream-token.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';
import { closeAll, createKey, isOpen, openSse } from './stream-helpers.ts';

const SECRET = 'test-stream-secret'; // workers/vitest.config.ts binds STREAM_SECRET to this
const grant = { environment: 'development', kind: 'client' as const, keyId: 'key-1' };

const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Signs an arbitrary payload the way the Worker does, to show what parsing refuses even when signed. */
async function signRaw(payloadJson: string): Promise<string> {
  const payload = b64url(payloadJson);
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(payload)));
  return `${payload}.${b64url(String.fromCharCode(...sig))}`;
}

beforeAll(seed);
afterEach(closeAll);

describe('verifyStreamToken', () => {
  it('accepts what signStreamToken issued, until it expires', async () => {
    const token = await signStreamToken(SECRET, grant, 1_000);
    expect(await verifyStreamToken(SECRET, token, 2_000)).toEqual({ ...grant, exp: 1_000 + 24 * 3600 * 1000 });
    expect(await verifyStreamToken(SECRET, token, 1_000 + 24 * 3600 * 1000)).toBeUndefined();
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses trailing or missing segments, a wrong secret and a tampered signature', async () => {
    const token = await signStreamToken(SECRET, grant);
    const [payload, sig] = token.split('.') as [string, string];
    for (const bad of [
      `${token}.extra`,
      `${token}.`,
      payload,
      `${payload}.`,
      `.${sig}`,
      `${payload}.${sig.slice(0, -2)}AA`,
      `${payload}.${sig}=`,
    ]) {
      expect(await verifyStreamToken(SECRET, bad)).toBeUndefined();
    }
    expect(await verifyStreamToken('another-secret', token)).toBeUndefined();
    expect(await verifyStreamToken(SECRET, `${'a'.repeat(2000)}.${sig}`)).toBeUndefined();
  });

  it('refuses a signed payload whose fields are missing, extra or of the wrong type', async () => {
    const exp = Date.now() + 60_000;
    const cases = [
      { ...grant, exp: String(exp) }, // a string compares greater than a number in JS
      { ...grant, exp: exp + 0.5 },
      { ...grant },
      { ...grant, exp, admin: true },
      { ...grant, kind: 'admin', exp },
      { ...grant, keyId: '', exp },
      { ...grant, environment: 7, exp },
      [grant.environment, grant.kind, grant.keyId, exp],
    ];
    for (const payload of cases) expect(await verifyStreamToken(SECRET, await signRaw(JSON.stringify(payload)))).toBeUndefined();
    expect(await verifyStreamToken(SECRET, await signRaw('not json'))).toBeUndefined();
    expect(await verifyStreamToken(SECRET, await signRaw(JSON.stringify({ ...grant, exp })))).toEqual({ ...grant, exp });
  });
});

describe('GET /ofrep/v1/events', () => {
  const open = async (token: string) => openSse(`/ofrep/v1/events?token=${encodeURIComponent(token)}`);

  it('opens for a live key named by a valid token', async () => {
    const key = await createKey('client');
    const stream = await open(await signStreamToken(SECRET, { environment: 'development', kind: 'client', keyId: key.id }));
    isOpen(stream);
  });

  it('refuses a validly signed token whose key does not exist, was revoked, or lives elsewhere', async () => {
    const unknown = await signStreamToken(SECRET, { environment: 'development', kind: 'client', keyId: crypto.randomUUID() });
    expect(((await open(unknown)) as Response).status).toBe(401);

    const key = await createKey('client');
    const otherEnvironment = await signStreamToken(SECRET, { environment: 'production', kind: 'client', keyId: key.id });
    expect(((await open(otherEnvironment)) as Response).status).toBe(401);
    const otherKind = await signStreamToken(SECRET, { environment: 'development', kind: 'server', keyId: key.id });
    expect(((await open(otherKind)) as Response).status).toBe(401);
    const unknownEnvironment = await signStreamToken(SECRET, { environment: 'nowhere', kind: 'client', keyId: key.id });
    expect(((await open(unknownEnvironment)) as Response).status).toBe(401);

    const valid = await signStreamToken(SECRET, { environment: 'development', kind: 'client', keyId: key.id });
    await call(`/api/v1/sdk-keys/${key.id}`, { method: 'DELETE', key: LOCAL_KEYS.admin });
    const refused = (await open(valid)) as Response;
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('refuses a token for an expired key', async () => {
    const key = await createKey('client', { expiresAt: Date.now() + 60_000 });
    await env.DB.prepare('UPDATE sdk_keys SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, key.id)
      .run();
    const token = await signStreamToken(SECRET, { environment: 'development', kind: 'client', keyId: key.id });
    expect(((await open(token)) as Response).status).toBe(401);
  });

  it('issues URL-safe tokens: the bulk evaluation URL opens as given', async () => {
    const res = await call('/ofrep/v1/evaluate/flags', {
      method: 'POST',
      key: LOCAL_KEYS.client,
      json: { context: { targetingKey: 'u' } },
    });
    const url = new URL(((await res.json()) as { eventStreams: { url: string }[] }).eventStreams[0]!.url);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    isOpen(await openSse(url.pathname + url.search));
  });
});
