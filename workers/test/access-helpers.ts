// A local stand-in for Cloudflare Access (which tests cannot reach): RSA key pairs generated
// here sign the JWTs, and `fetch` to the team domain is answered from memory — the published
// keys (certs) and each person's identity (name, groups). Everything else goes out as usual.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { vi } from 'vitest';
import worker from '../src/index.ts';
import { BASE } from './seed.ts';

export const TEAM = 'edgeflags-test.cloudflareaccess.com';
export const ISSUER = `https://${TEAM}`;
export const AUD = 'a1b2c3d4e5f6aud';
export const ROOT = 'root@example.com';
/** A team whose Access answers nothing but errors. */
export const DOWN_TEAM = 'down-test.cloudflareaccess.com';

/** The Worker's environment with Access on (the vars an operator sets; docs/identity.md). */
export const ACCESS_ENV = { ...env, ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ACCESS_ADMIN_EMAILS: ROOT };

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JsonWebKey & { kid: string };
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

export async function signingKey(kid: string): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const { kty, n, e } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return { kid, privateKey: pair.privateKey, jwk: { kid, kty, n, e, alg: 'RS256', use: 'sig' } };
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
export const b64json = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** Claims of a fresh token for `email`, valid for an hour; `over` changes any of them. */
export function claims(email: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { aud: [AUD], email, sub: `sub-${email}`, iss: ISSUER, iat: now, nbf: now, exp: now + 3600, type: 'app', ...over };
}

export async function sign(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const head = b64json({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header });
  const body = b64json(payload);
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(`${head}.${body}`));
  return `${head}.${body}.${b64url(new Uint8Array(signature))}`;
}

/** What the stand-in serves and what it was asked. */
export const standIn = {
  published: [] as SigningKey[],
  identities: new Map<string, { name: string; groups: unknown[] }>(),
  certsCalls: 0,
  identityCalls: 0,
  identityDown: false,
};

const realFetch = globalThis.fetch;
export function startAccessStandIn(): void {
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.host === DOWN_TEAM) return new Response('unavailable', { status: 503 });
    if (url.host !== TEAM) return realFetch(input, init);
    if (url.pathname === '/cdn-cgi/access/certs') {
      standIn.certsCalls++;
      return Response.json({ keys: standIn.published.map((k) => k.jwk) });
    }
    if (url.pathname === '/cdn-cgi/access/get-identity') {
      standIn.identityCalls++;
      if (standIn.identityDown) return new Response('down', { status: 502 });
      const jwt = /CF_Authorization=([^;]+)/.exec(req.headers.get('cookie') ?? '')?.[1];
      const email = jwt && (JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { email: string }).email;
      const identity = email && standIn.identities.get(email);
      return identity ? Response.json({ email, ...identity }) : new Response('unknown', { status: 400 });
    }
    return new Response('not found', { status: 404 });
  });
}

/** A request to the Worker with Access configured; `jwt` goes in the header Access adds. */
export async function accessCall(
  path: string,
  init: { method?: string; jwt?: string; cookie?: string; key?: string; json?: unknown; headers?: Record<string, string> } = {},
  workerEnv: typeof env = ACCESS_ENV,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.jwt) headers.set('Cf-Access-Jwt-Assertion', init.jwt);
  if (init.cookie) headers.set('Cookie', `CF_Authorization=${init.cookie}`);
  if (init.key) headers.set('Authorization', `Bearer ${init.key}`);
  if (init.json !== undefined) headers.set('Content-Type', 'application/json');
  const body = init.json !== undefined ? JSON.stringify(init.json) : undefined;
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, { method: init.method ?? 'GET', headers, body }), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
