// The authorization matrix for people signed in through Cloudflare Access (issue 11 §1): every
// non-GET admin route the app registers, called by people whose role comes from a binding by
// email or by group, gets the verdict the one rule (`access(effect)`) gives a token with the same
// role and production access. authorization-matrix.test.ts spells the verdicts out for tokens.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.ts';
import { type Effect, policyOf } from '../src/auth/route-policy.ts';
import { accessCall, claims, ROOT, type SigningKey, sign, signingKey, standIn, startAccessStandIn } from './access-helpers.ts';
import { LOCAL_KEYS, seed } from './seed.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
type Role = 'viewer' | 'editor' | 'admin';
interface Person {
  email: string;
  role: Role;
  productionAccess: boolean;
  /** Bound by email, or through this group from the identity endpoint. */
  group?: string;
}

const PEOPLE: Person[] = [
  { email: 'vera@example.com', role: 'viewer', productionAccess: false, group: 'readers' },
  { email: 'eddie@example.com', role: 'editor', productionAccess: false },
  { email: 'petra@example.com', role: 'editor', productionAccess: true, group: 'release-managers' },
  { email: ROOT, role: 'admin', productionAccess: true }, // ACCESS_ADMIN_EMAILS
];

const routes = new Map<string, { method: string; path: string; effect?: Effect }>();
for (const r of app.routes) {
  if (!WRITE_METHODS.has(r.method) || !r.path.startsWith('/api/v1/')) continue;
  const id = `${r.method} ${r.path}`;
  const route = routes.get(id) ?? { method: r.method, path: r.path };
  route.effect ??= policyOf(r.handler);
  routes.set(id, route);
}

let key: SigningKey;
const jwts = new Map<string, string>();
/** A token with the same role and production access as each person. */
const tokens = new Map<string, string>();

beforeAll(async () => {
  await seed();
  key = await signingKey('kid-matrix');
  standIn.published = [key];
  startAccessStandIn();
  for (const p of PEOPLE) {
    standIn.identities.set(p.email, { name: p.email.split('@')[0]!, groups: p.group ? [{ id: `id-${p.group}`, name: p.group }] : [] });
    if (p.email !== ROOT) {
      const binding = p.group ? { kind: 'group', subject: p.group } : { kind: 'email', subject: p.email };
      const res = await accessCall('/api/v1/role-bindings', {
        method: 'POST',
        key: LOCAL_KEYS.admin,
        json: { ...binding, role: p.role, productionAccess: p.productionAccess },
      });
      expect(res.status).toBe(200);
    }
    jwts.set(p.email, await sign(key, claims(p.email)));
    const token = await accessCall('/api/v1/admin-tokens', {
      method: 'POST',
      key: LOCAL_KEYS.admin,
      json: { name: `like ${p.email}`, role: p.role, productionAccess: p.productionAccess },
    });
    tokens.set(p.email, ((await token.json()) as { secret: string }).secret);
  }
});
afterAll(() => vi.restoreAllMocks());

describe('people signed in through Access × every write route', () => {
  it('covers the admin write routes', () => expect(routes.size).toBeGreaterThan(15));

  for (const route of routes.values()) {
    const effect = route.effect;
    if (!effect) continue; // authorization-matrix.test.ts fails a route without one
    for (const target of route.path.includes(':env') ? ['production', 'staging'] : ['staging']) {
      const path = route.path
        .replace(':env', target)
        .replace(':key', 'ai-chatbot')
        .replace(':segment', 'beta')
        .replace(':id', crypto.randomUUID());
      const bodies = effect === 'flag-fields' ? [{ owner: 'someone' }, { variants: { on: true, off: false } }] : [{}];
      for (const body of bodies) {
        for (const p of PEOPLE) {
          const who = `${p.role}${p.productionAccess ? ' with production' : ''} by ${p.group ? 'group' : 'email'}`;
          it(`${route.method} ${path} ${Object.keys(body).join(',')} (${effect}) as ${who}: the token verdict`, async () => {
            const json = route.method === 'DELETE' ? undefined : body;
            const asPerson = await accessCall(path, { method: route.method, jwt: jwts.get(p.email), json });
            const asToken = await accessCall(path, { method: route.method, key: tokens.get(p.email), json });
            expect(asPerson.status).not.toBe(401);
            expect(asPerson.status === 403, `person ${asPerson.status}, token ${asToken.status}`).toBe(asToken.status === 403);
          });
        }
      }
    }
  }
});
