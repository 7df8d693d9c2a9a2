// Issue 11 §1 "Who did what": people sign in through Cloudflare Access in front of the admin API,
// get a role from a binding (by email or by group from Access's identity endpoint), own the
// tokens they create, and are named in the audit log. Access itself is a local stand-in
// (access-helpers.ts) serving keys generated here; the Worker, D1 and the routes are real.
import { env } from 'cloudflare:test';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetAccessKeys } from '../src/auth/access-keys.ts';
import { forgetAccessIdentities } from '../src/auth/access-person.ts';
import {
  ACCESS_ENV,
  accessCall,
  b64json,
  claims,
  DOWN_TEAM,
  ISSUER,
  ROOT,
  type SigningKey,
  sign,
  signingKey,
  standIn,
  startAccessStandIn,
} from './access-helpers.ts';
import { LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
const NOBODY = 'nobody@example.com';
let current: SigningKey;
let other: SigningKey;

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const me = async (jwt: string) => (await accessCall('/api/v1/me', { jwt })).json() as Promise<Record<string, unknown>>;
const bind = (json: Record<string, unknown>) => accessCall('/api/v1/role-bindings', { method: 'POST', key: A, json });

beforeAll(async () => {
  await seed();
  current = await signingKey('kid-current');
  other = await signingKey('kid-other');
  standIn.published = [current];
  standIn.identities.set(ADA, { name: 'Ada Lovelace', groups: [] });
  standIn.identities.set(GRACE, { name: 'Grace Hopper', groups: [{ id: 'g-42', name: 'Release-Managers', email: 'rm@example.com' }] });
  standIn.identities.set(NOBODY, { name: 'No Body', groups: [{ id: 'g-7', name: 'contractors' }] });
  standIn.identities.set(ROOT, { name: 'Root', groups: [] });
  startAccessStandIn();
  expect((await bind({ kind: 'email', subject: 'ADA@example.com', role: 'editor', productionAccess: false })).status).toBe(200);
  expect((await bind({ kind: 'group', subject: 'release-managers', role: 'editor', productionAccess: true })).status).toBe(200);
});
afterAll(() => vi.restoreAllMocks());
beforeEach(() => {
  forgetAccessKeys();
  forgetAccessIdentities();
  standIn.identityDown = false;
});

describe('Access JWT verification', () => {
  it('gives a person the role an admin bound to their email, named from the identity endpoint', async () => {
    const body = await me(await sign(current, claims(ADA)));
    expect(body).toMatchObject({
      id: `person:${ADA}`,
      role: 'editor',
      productionAccess: false,
      person: { email: ADA, name: 'Ada Lovelace' },
    });
  });

  it('reads the CF_Authorization cookie when the header is missing', async () => {
    const res = await accessCall('/api/v1/me', { cookie: await sign(current, claims(ADA)) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { person: { email: string } }).person.email).toBe(ADA);
  });

  const refused: [string, () => Promise<string>, RegExp][] = [
    ['a token for another Access application (aud)', () => sign(current, claims(ADA, { aud: ['someone-elses-app'] })), /aud/],
    ['a token from another team (issuer)', () => sign(current, claims(ADA, { iss: 'https://evil.cloudflareaccess.com' })), /issuer/],
    ['an expired token', () => sign(current, claims(ADA, { exp: Math.floor(Date.now() / 1000) - 120 })), /expired/],
    ['a token not valid yet (nbf)', () => sign(current, claims(ADA, { nbf: Math.floor(Date.now() / 1000) + 600 })), /nbf/],
    ['a bad signature (another key under the published kid)', () => sign({ ...other, kid: current.kid }, claims(ADA)), /signature/],
    ['a tampered payload', async () => tamper(await sign(current, claims(ADA)), { ...claims(ADA), email: ROOT }), /signature/],
    ['alg none', async () => `${b64json({ alg: 'none', kid: current.kid })}.${b64json(claims(ROOT))}.`, /algorithm/],
    ['HS256 keyed with the public key (algorithm confusion)', () => hs256(claims(ROOT)), /algorithm/],
    ['a key id the team does not publish', () => sign(other, claims(ADA)), /not one the team publishes/],
    ['junk', async () => 'not-a-jwt', /not a JWT/],
  ];
  for (const [what, token, why] of refused) {
    it(`refuses ${what} with 401`, async () => {
      const res = await accessCall('/api/v1/me', { jwt: await token() });
      expect(res.status).toBe(401);
      const error = await errorOf(res);
      expect(error.code).toBe('unauthorized');
      expect(error.message).toMatch(why);
    });
  }

  it('refetches the keys once for an unknown kid, then refuses it', async () => {
    // Warm: the keys are fetched once. The unknown kid forces one more fetch (a rotation would
    // be found there) — but only after REFETCH_MIN_MS, so a burst of made-up kids costs nothing.
    const { accessKey } = await import('../src/auth/access-keys.ts');
    const certs = `${ISSUER}/cdn-cgi/access/certs`;
    const t0 = 1_000_000;
    const before = standIn.certsCalls;
    expect(await accessKey(certs, current.kid, t0)).toBeDefined();
    expect(await accessKey(certs, 'kid-unknown', t0 + 1000)).toBeUndefined();
    expect(standIn.certsCalls - before).toBe(1);
    standIn.published = [current, other]; // Access rotates: the new key is published
    expect(await accessKey(certs, other.kid, t0 + 31_000)).toBeDefined();
    expect(standIn.certsCalls - before).toBe(2);
    expect(await accessKey(certs, 'kid-unknown', t0 + 62_000)).toBeUndefined();
    expect(standIn.certsCalls - before).toBe(3);
    standIn.published = [current];
  });

  it('keeps verifying with the keys it holds when a refresh past their TTL cannot reach Access', async () => {
    const { accessKey, KEYS_TTL_MS } = await import('../src/auth/access-keys.ts');
    const certs = `${ISSUER}/cdn-cgi/access/certs`;
    expect(await accessKey(certs, current.kid, 5_000_000)).toBeDefined();
    const down: typeof fetch = async () => new Response('unavailable', { status: 503 });
    expect(await accessKey(certs, current.kid, 5_000_000 + KEYS_TTL_MS + 1, down)).toBeDefined();
  });

  it('answers 503, not 401, when the keys cannot be fetched', async () => {
    const down = { ...ACCESS_ENV, ACCESS_TEAM_DOMAIN: DOWN_TEAM };
    const res = await accessCall('/api/v1/me', { jwt: await sign(current, claims(ADA, { iss: `https://${DOWN_TEAM}` })) }, down);
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe('unavailable');
  });
});

describe('people → roles', () => {
  it("maps a person to a role through their identity-provider group (Access's identity endpoint)", async () => {
    const body = await me(await sign(current, claims(GRACE)));
    expect(body).toMatchObject({ role: 'editor', productionAccess: true, person: { email: GRACE, name: 'Grace Hopper' } });
  });

  it('caches identity lookups briefly', async () => {
    const jwt = await sign(current, claims(GRACE));
    const before = standIn.identityCalls;
    for (let i = 0; i < 3; i++) expect((await accessCall('/api/v1/me', { jwt })).status).toBe(200);
    expect(standIn.identityCalls - before).toBe(1);
  });

  it('refuses a signed-in person without any binding: 403 forbidden with a plain message', async () => {
    const res = await accessCall('/api/v1/me', { jwt: await sign(current, claims(NOBODY)) });
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain(`${NOBODY} is signed in through Cloudflare Access but has no role`);
  });

  it('makes the ACCESS_ADMIN_EMAILS people admins without a binding (bootstrap)', async () => {
    expect(await me(await sign(current, claims(ROOT)))).toMatchObject({ role: 'admin', productionAccess: true });
  });

  it('says 503 when groups are needed and the identity endpoint is down; an email binding still works', async () => {
    standIn.identityDown = true;
    expect((await accessCall('/api/v1/me', { jwt: await sign(current, claims(GRACE)) })).status).toBe(503);
    expect(await me(await sign(current, claims(ADA)))).toMatchObject({ role: 'editor', person: { email: ADA, name: ADA } });
  });

  it('applies the one access rule: an editor without production access cannot toggle production', async () => {
    const jwt = await sign(current, claims(ADA));
    const res = await accessCall('/api/v1/flags/new-pdf-engine/environments/production/toggle', {
      method: 'POST',
      jwt,
      json: { enabled: true },
    });
    expect(res.status).toBe(403);
    const config = '/api/v1/flags/new-pdf-engine/environments/staging';
    const { version } = (await (await accessCall(config, { jwt })).json()) as { version: number };
    const staging = await accessCall(`${config}/toggle`, { method: 'POST', jwt, json: { enabled: true, version } });
    expect(staging.status).toBe(200);
  });

  it('lets only admins manage bindings, refuses a duplicate, and a deleted binding stops the person at once', async () => {
    const ada = await sign(current, claims(ADA));
    const asAda = await accessCall('/api/v1/role-bindings', {
      method: 'POST',
      jwt: ada,
      json: { kind: 'email', subject: NOBODY, role: 'admin' },
    });
    expect(asAda.status).toBe(403);
    const root = await sign(current, claims(ROOT));
    const created = await accessCall('/api/v1/role-bindings', {
      method: 'POST',
      jwt: root,
      json: { kind: 'group', subject: 'contractors', role: 'viewer' },
    });
    expect(created.status).toBe(200);
    const binding = (await created.json()) as { id: string; createdBy: string };
    expect(binding.createdBy).toBe(`Root <${ROOT}>`);
    const again = await accessCall('/api/v1/role-bindings', {
      method: 'POST',
      jwt: root,
      json: { kind: 'group', subject: 'contractors', role: 'admin' },
    });
    expect(again.status).toBe(409);
    const nobody = await sign(current, claims(NOBODY));
    expect(await me(nobody)).toMatchObject({ role: 'viewer', productionAccess: false });
    expect((await accessCall(`/api/v1/role-bindings/${binding.id}`, { method: 'DELETE', jwt: root })).status).toBe(200);
    expect((await accessCall('/api/v1/me', { jwt: nobody })).status).toBe(403);
  });

  it('ends a change stream opened through Access when the sign-in expires', async () => {
    const jwt = await sign(current, claims(ADA, { exp: Math.ceil(Date.now() / 1000) + 2 }));
    const res = await accessCall('/api/v1/environments/development/changes', { jwt, headers: { Accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const ended = (async () => {
      while (!(await reader.read()).done) {}
      return 'ended';
    })();
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still open'), 4500));
    expect(await Promise.race([ended, timeout])).toBe('ended');
  });

  it('refuses a write signed in through Access that another site started (the cookie rides along)', async () => {
    const jwt = await sign(current, claims(ROOT));
    const res = await accessCall('/api/v1/flags/new-pdf-engine/environments/staging/toggle', {
      method: 'POST',
      jwt,
      json: { enabled: false },
      headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/same origin/);
  });
});

describe('SDK routes are not behind Access', () => {
  it('an Access JWT alone does not evaluate flags, and SDK keys never ask Access', async () => {
    const jwt = await sign(current, claims(ROOT));
    const path = '/ofrep/v1/evaluate/flags/new-pdf-engine';
    expect((await accessCall(path, { method: 'POST', jwt, json: { context: { targetingKey: 'u1' } } })).status).toBe(401);
    const calls = standIn.certsCalls + standIn.identityCalls;
    const keyed = await accessCall(path, {
      method: 'POST',
      key: LOCAL_KEYS.server,
      json: { context: { targetingKey: 'u1', accountId: 'acct-1' } },
    });
    expect(keyed.status, await keyed.clone().text()).toBe(200);
    const sdk = await accessCall('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
    expect(sdk.status).toBe(200);
    expect(standIn.certsCalls + standIn.identityCalls).toBe(calls);
  });
});

describe('tokens belong to people, and the audit log names them', () => {
  const lastAudit = () =>
    env.DB.prepare('SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1').first<{ actor: string; action: string }>();

  it('records the person who made a change, not a token id', async () => {
    const jwt = await sign(current, claims(ADA));
    const res = await accessCall('/api/v1/flags/new-pdf-engine/environments/development/toggle', {
      method: 'POST',
      jwt,
      json: { enabled: false },
    });
    expect(res.status).toBe(200);
    expect(await lastAudit()).toEqual({ actor: `Ada Lovelace <${ADA}>`, action: expect.stringContaining('flag') });
  });

  it('makes a token created by a signed-in person theirs, and its changes read "<person> via token <name>"', async () => {
    const jwt = await sign(current, claims(ROOT));
    const created = await accessCall('/api/v1/admin-tokens', { method: 'POST', jwt, json: { name: 'ci-deploy', role: 'editor' } });
    expect(created.status).toBe(200);
    const token = (await created.json()) as { id: string; owner: string | null; secret: string };
    expect(token.owner).toBe(ROOT);
    const config = '/api/v1/flags/new-pdf-engine/environments/development';
    const { version } = (await (await accessCall(config, { key: token.secret })).json()) as { version: number };
    const toggled = await accessCall(`${config}/toggle`, { method: 'POST', key: token.secret, json: { enabled: true, version } });
    expect(toggled.status).toBe(200);
    expect((await lastAudit())?.actor).toBe(`${ROOT} via token ci-deploy`);
    const listed = (await (await accessCall('/api/v1/admin-tokens', { jwt })).json()) as {
      tokens: { name: string; owner: string | null }[];
    };
    expect(listed.tokens.find((t) => t.name === 'ci-deploy')?.owner).toBe(ROOT);
    expect(listed.tokens.find((t) => t.name === 'local admin')?.owner).toBeNull(); // older tokens: unowned, still valid
  });

  it('refuses a person making a token for someone else; an unowned caller may name the owner', async () => {
    const jwt = await sign(current, claims(ROOT));
    const forOther = await accessCall('/api/v1/admin-tokens', { method: 'POST', jwt, json: { name: 'x', role: 'viewer', owner: ADA } });
    expect(forOther.status).toBe(422);
    const byBootstrap = await accessCall('/api/v1/admin-tokens', {
      method: 'POST',
      key: A,
      json: { name: 'ada-ci', role: 'viewer', owner: ADA },
    });
    expect(((await byBootstrap.json()) as { owner: string }).owner).toBe(ADA);
  });

  it('keeps the owner when a token is rotated', async () => {
    const jwt = await sign(current, claims(ROOT));
    const created = (await (
      await accessCall('/api/v1/admin-tokens', { method: 'POST', jwt, json: { name: 'rotating', role: 'viewer' } })
    ).json()) as {
      id: string;
    };
    const rotated = await accessCall(`/api/v1/admin-tokens/${created.id}/rotate`, { method: 'POST', jwt, json: {} });
    expect(((await rotated.json()) as { owner: string }).owner).toBe(ROOT);
  });
});

/** The same header and claims, with a new payload (the signature no longer matches). */
function tamper(jwt: string, payload: Record<string, unknown>): string {
  const [head, , signature] = jwt.split('.');
  return `${head}.${b64json(payload)}.${signature}`;
}

/** An HS256 token keyed with the published public key: what a verifier that trusts `alg` would accept. */
async function hs256(payload: Record<string, unknown>): Promise<string> {
  const head = b64json({ alg: 'HS256', kid: current.kid, typ: 'JWT' });
  const body = b64json(payload);
  const secret = new TextEncoder().encode(JSON.stringify(current.jwk));
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${head}.${body}`)));
  return `${head}.${body}.${btoa(String.fromCharCode(...mac))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}
