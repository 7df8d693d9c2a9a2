// Review of issue 11 §1 (identity) from an attacker's side: a rotation must not hand out a token
// that the audit log attributes to someone else, names from the identity provider or token names
// must not forge audit lines, and an unreachable Access must not turn every request into a fetch
// of its keys. Access is the local stand-in of access-helpers.ts; the Worker and D1 are real.
import { env } from 'cloudflare:test';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { accessKey, FAILED_RETRY_MS, forgetAccessKeys, KEYS_TTL_MS } from '../src/auth/access-keys.ts';
import { forgetAccessIdentities } from '../src/auth/access-person.ts';
import {
  ACCESS_ENV,
  accessCall,
  claims,
  DOWN_TEAM,
  ISSUER,
  ROOT,
  type SigningKey,
  sign,
  signingKey,
  standIn,
  startAccessStandIn,
  TEAM,
} from './access-helpers.ts';
import { LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const ADA = 'ada.attack@example.com';
const MALLORY = 'mallory@example.com';
const CERTS = `${ISSUER}/cdn-cgi/access/certs`;
const CONFIG = '/api/v1/flags/new-pdf-engine/environments/development';
let current: SigningKey;

const lastActor = async () =>
  (await env.DB.prepare('SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1').first<{ actor: string }>())?.actor;
const json = async <T>(res: Response) => (await res.json()) as T;

beforeAll(async () => {
  await seed();
  current = await signingKey('kid-attack');
  standIn.published = [current];
  standIn.identities.set(ROOT, { name: 'Root', groups: [] });
  // A display name an identity provider let someone choose: a bidi override that makes the line
  // read backwards, a C1 "next line", a line separator, DEL.
  standIn.identities.set(MALLORY, { name: 'Mal\u202Elory\u0085 Admin\u2028x\u007F', groups: [] });
  startAccessStandIn();
  const bound = await accessCall('/api/v1/role-bindings', {
    method: 'POST',
    key: A,
    json: { kind: 'email', subject: MALLORY, role: 'editor', productionAccess: false },
  });
  expect(bound.status).toBe(200);
});
afterAll(() => vi.restoreAllMocks());
beforeEach(() => {
  forgetAccessKeys();
  forgetAccessIdentities();
});

describe('rotation never yields a token attributed to someone else', () => {
  it("makes the new token the rotator's when a person rotates another person's token", async () => {
    const made = await accessCall('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'ada-ci', role: 'admin', owner: ADA } });
    const ada = await json<{ id: string; owner: string }>(made);
    expect(ada.owner).toBe(ADA);
    const root = await sign(current, claims(ROOT));
    const rotated = await accessCall(`/api/v1/admin-tokens/${ada.id}/rotate`, { method: 'POST', jwt: root, json: { overlapSeconds: 0 } });
    expect(rotated.status).toBe(200);
    const fresh = await json<{ id: string; owner: string; secret: string }>(rotated);
    // Before: the new secret, held by root, still read "ada… via token ada-ci" in the audit log.
    expect(fresh.owner).toBe(ROOT);
    const stored = await env.DB.prepare('SELECT owner FROM admin_tokens WHERE id = ?').bind(fresh.id).first<{ owner: string }>();
    expect(stored?.owner).toBe(ROOT);
    const { version } = await json<{ version: number }>(await accessCall(CONFIG, { key: fresh.secret }));
    const toggled = await accessCall(`${CONFIG}/toggle`, { method: 'POST', key: fresh.secret, json: { enabled: true, version } });
    expect(toggled.status).toBe(200);
    expect(await lastActor()).toBe(`${ROOT} via token ada-ci`);
  });

  it('keeps the owner when a caller without a person (the bootstrap secret) rotates', async () => {
    const ada = await json<{ id: string }>(
      await accessCall('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'ada-ci-2', role: 'viewer', owner: ADA } }),
    );
    const rotated = await accessCall(`/api/v1/admin-tokens/${ada.id}/rotate`, { method: 'POST', key: A, json: {} });
    expect((await json<{ owner: string }>(rotated)).owner).toBe(ADA);
  });
});

describe('audit labels cannot be forged with invisible characters', () => {
  it('drops control, bidi-format and line-separator characters from an identity-provider name', async () => {
    const jwt = await sign(current, claims(MALLORY));
    const toggled = await accessCall(`${CONFIG}/toggle`, { method: 'POST', jwt, json: { enabled: false } });
    expect(toggled.status).toBe(200);
    expect(await lastActor()).toBe(`Mallory Adminx <${MALLORY}>`);
    const me = await json<{ person: { name: string } }>(await accessCall('/api/v1/me', { jwt }));
    expect(me.person.name).toBe('Mallory Adminx');
  });

  it('drops them from a token name too (a token name with a line break would forge a second audit line)', async () => {
    const made = await accessCall('/api/v1/admin-tokens', {
      method: 'POST',
      key: A,
      json: { name: 'ci\n2026-11-30 root@example.com', role: 'editor', owner: ADA },
    });
    const token = await json<{ secret: string }>(made);
    const { version } = await json<{ version: number }>(await accessCall(CONFIG, { key: token.secret }));
    const toggled = await accessCall(`${CONFIG}/toggle`, { method: 'POST', key: token.secret, json: { enabled: true, version } });
    expect(toggled.status).toBe(200);
    expect(await lastActor()).toBe(`${ADA} via token ci2026-11-30 root@example.com`);
  });
});

describe('an unreachable Access is asked at most once per FAILED_RETRY_MS', () => {
  it('a cold isolate whose key fetch failed answers the next callers at once, without fetching again', async () => {
    let calls = 0;
    const down: typeof fetch = async () => {
      calls++;
      return new Response('unavailable', { status: 503 });
    };
    const t0 = 7_000_000;
    for (let i = 0; i < 10; i++) await expect(accessKey(CERTS, `made-up-${i}`, t0 + i * 100, down)).rejects.toThrow(/503/);
    expect(calls).toBe(1); // before: 10, one per request
    await expect(accessKey(CERTS, 'made-up', t0 + FAILED_RETRY_MS + 10, down)).rejects.toThrow(/503/);
    expect(calls).toBe(2);
    expect(await accessKey(CERTS, current.kid, t0 + 2 * FAILED_RETRY_MS + 20)).toBeDefined(); // Access is back
  });

  it('past the TTL with Access down, held keys keep verifying and the refresh is not retried on every request', async () => {
    const t0 = 9_000_000;
    expect(await accessKey(CERTS, current.kid, t0)).toBeDefined();
    let calls = 0;
    const down: typeof fetch = async () => {
      calls++;
      return new Response('unavailable', { status: 503 });
    };
    for (let i = 0; i < 5; i++) expect(await accessKey(CERTS, current.kid, t0 + KEYS_TTL_MS + 1 + i * 100, down)).toBeDefined();
    expect(calls).toBe(1); // before: 5 (each request waited for its own failed fetch)
  });

  it('through the Worker: a burst of anonymous tokens with made-up key ids costs one fetch while Access is down', async () => {
    const spy = vi.mocked(globalThis.fetch);
    const downCalls = () =>
      spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input).includes(DOWN_TEAM)).length;
    const before = downCalls();
    const downEnv = { ...ACCESS_ENV, ACCESS_TEAM_DOMAIN: DOWN_TEAM };
    for (let i = 0; i < 6; i++) {
      const jwt = await sign({ ...current, kid: `made-up-${i}` }, claims(MALLORY, { iss: `https://${DOWN_TEAM}` }));
      expect((await accessCall('/api/v1/me', { jwt }, downEnv)).status).toBe(503);
    }
    expect(downCalls() - before).toBe(1);
  });
});

describe('an identity endpoint that fails is not asked again on every request', () => {
  it('a 5xx from get-identity is remembered for IDENTITY_RETRY_MS: email bindings answer at once meanwhile', async () => {
    standIn.identityDown = true;
    try {
      const before = standIn.identityCalls;
      for (let i = 0; i < 5; i++) {
        const jwt = await sign(current, claims(ROOT, { sub: `sub-${i}` })); // not one cached identity
        expect((await accessCall('/api/v1/me', { jwt })).status).toBe(200); // the bootstrap email still counts
      }
      expect(standIn.identityCalls - before).toBe(1); // before: 5, each request waited for its own failure
    } finally {
      standIn.identityDown = false;
    }
  });
});

describe('configuration as operators write it', () => {
  it('accepts ACCESS_TEAM_DOMAIN written with capitals, a scheme and a trailing slash (Access writes iss lower-cased)', async () => {
    const written = { ...ACCESS_ENV, ACCESS_TEAM_DOMAIN: ` HTTPS://${TEAM.toUpperCase()}/ ` };
    const res = await accessCall('/api/v1/me', { jwt: await sign(current, claims(ROOT)) }, written);
    expect(res.status).toBe(200); // before: 401, issuer "https://edgeflags-test…" is not "https://EDGEFLAGS-TEST…"
  });
});

describe('writes signed in by cookie from another site', () => {
  for (const [what, headers] of [
    ['DELETE with only Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['DELETE with only a foreign Origin', { Origin: 'https://evil.example' }],
    ['DELETE from an opaque origin (Origin: null)', { Origin: 'null' }],
  ] as const) {
    it(`refuses a ${what}`, async () => {
      const cookie = await sign(current, claims(ROOT));
      const res = await accessCall('/api/v1/role-bindings/does-not-matter', { method: 'DELETE', cookie, headers });
      expect(res.status).toBe(403);
    });
  }
});
