// Authorization generated from the route table: every non-GET admin route the app registers,
// called by each role with and without production access. A write route that declares no effect
// (route-policy.ts `access`) fails here, so the production rule cannot be forgotten on a new route.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app.ts';
import { type Effect, policyOf } from '../src/auth/route-policy.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface WriteRoute {
  method: string;
  path: string;
  effects: Effect[];
}

/** Non-GET routes under /api/v1 as Hono registered them, with the effects their handlers declare. */
function writeRoutes(): WriteRoute[] {
  const routes = new Map<string, WriteRoute>();
  for (const r of app.routes) {
    if (!WRITE_METHODS.has(r.method) || !r.path.startsWith('/api/v1/')) continue;
    const id = `${r.method} ${r.path}`;
    const route = routes.get(id) ?? { method: r.method, path: r.path, effects: [] };
    const effect = policyOf(r.handler);
    if (effect) route.effects.push(effect);
    routes.set(id, route);
  }
  return [...routes.values()];
}

type Role = 'viewer' | 'editor' | 'admin';
const CALLERS = (['viewer', 'editor', 'admin'] as const).flatMap((role) =>
  [true, false].map((productionAccess) => ({
    role,
    productionAccess,
    name: `${role} ${productionAccess ? 'with' : 'without'} production`,
  })),
);
const tokens = new Map<string, string>();

/** Bodies for a flag edit: metadata only (no environment changes), and each field production serves. */
const FLAG_BODIES: { body: Record<string, unknown>; served: boolean }[] = [
  { body: { owner: 'someone', tags: ['x'] }, served: false },
  { body: { variants: { on: true, off: false } }, served: true },
  { body: { clientVisible: true }, served: true },
  { body: { protectiveState: 'on' }, served: true },
];

/** Whether the one rule must refuse: the role the effect needs, then production access for what it touches. */
function forbidden(effect: Effect, caller: { role: Role; productionAccess: boolean }, production: boolean, served: boolean): boolean {
  if (effect === 'read') return false;
  if (effect === 'admin') return caller.role !== 'admin';
  if (effect === 'metadata') return caller.role === 'viewer';
  if (caller.role === 'viewer') return true;
  if (caller.role === 'admin' || caller.productionAccess) return false;
  if (effect === 'environment') return production;
  if (effect === 'flag-fields') return served;
  return true; // all-environments: the seed has a production environment
}

const routes = writeRoutes();

beforeAll(async () => {
  await seed();
  for (const caller of CALLERS) {
    const res = await call('/api/v1/admin-tokens', {
      method: 'POST',
      key: A,
      json: { name: caller.name, role: caller.role, productionAccess: caller.productionAccess },
    });
    tokens.set(caller.name, ((await res.json()) as { secret: string }).secret);
  }
});

describe('the route table', () => {
  it('has the admin write routes (so the matrix below is not vacuous)', () => {
    const ids = routes.map((r) => `${r.method} ${r.path}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'POST /api/v1/flags',
        'PATCH /api/v1/flags/:key',
        'DELETE /api/v1/flags/:key',
        'POST /api/v1/flags/:key/restore',
        'PUT /api/v1/flags/:key/environments/:env',
        'POST /api/v1/flags/:key/environments/:env/toggle',
        'PUT /api/v1/flags/:key/environments/:env/rollout',
        'POST /api/v1/flags/:key/environments/:env/releases',
        'POST /api/v1/flags/:key/environments/:env/releases/:id/approve',
        'POST /api/v1/flags/:key/environments/:env/releases/:id/rollback',
        'PUT /api/v1/environments/:env/segments/:segment',
        'DELETE /api/v1/environments/:env/segments/:segment',
        'POST /api/v1/environments',
        'POST /api/v1/sdk-keys',
        'DELETE /api/v1/sdk-keys/:id',
        'POST /api/v1/admin-tokens',
        'DELETE /api/v1/admin-tokens/:id',
      ]),
    );
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} declares exactly one effect`, () => {
      expect(route.effects, 'add middleware: [access(…)] to the route (workers/src/auth/route-policy.ts)').toHaveLength(1);
    });
  }
});

describe('role × production access × every write route', () => {
  for (const route of routes) {
    const effect = route.effects[0];
    if (!effect) continue; // reported above
    const targets = route.path.includes(':env') ? ['production', 'staging'] : ['staging'];
    const bodies = effect === 'flag-fields' ? FLAG_BODIES : [{ body: {}, served: true }];
    for (const target of targets) {
      const path = route.path
        .replace(':env', target)
        .replace(':key', 'ai-chatbot')
        .replace(':segment', 'beta')
        .replace(':id', crypto.randomUUID());
      for (const { body, served } of bodies) {
        for (const caller of CALLERS) {
          const refuse = forbidden(effect, caller, target === 'production', served);
          const label = `${route.method} ${path}${effect === 'flag-fields' ? ` ${Object.keys(body).join(',')}` : ''}`;
          it(`${label} (${effect}) as ${caller.name} → ${refuse ? '403' : 'not 403'}`, async () => {
            const res = await call(path, {
              method: route.method,
              key: tokens.get(caller.name),
              json: route.method === 'DELETE' ? undefined : body,
            });
            // No version is sent, so an allowed write stops at 400/404/428 and nothing changes.
            if (refuse) {
              expect(res.status).toBe(403);
              expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
            } else {
              expect(res.status).not.toBe(403);
              expect(res.status).not.toBe(401);
            }
          });
        }
      }
    }
  }
});

describe('an editor without production access cannot change what production serves (item 6)', () => {
  const flag = '/api/v1/flags/banner-text';
  const detail = async () =>
    (await (await call(flag, { key: A })).json()) as { version: number; variants: unknown; clientVisible: boolean };

  beforeAll(async () => {
    const created = await call('/api/v1/flags', {
      method: 'POST',
      key: A,
      json: { key: 'banner-text', kind: 'string', owner: 'qa', variants: { plain: 'Welcome', off: '' }, offVariant: 'off' },
    });
    expect(created.status).toBe(200);
  });

  it('refuses new variant values, client visibility, protective state, archive and restore, and changes nothing', async () => {
    const noProd = tokens.get('editor without production');
    const before = await detail();
    const attempts = [
      { method: 'PATCH', path: flag, json: { variants: { plain: 'HACKED', off: '' }, version: before.version } },
      { method: 'PATCH', path: flag, json: { clientVisible: true, version: before.version } },
      { method: 'PATCH', path: flag, json: { protectiveState: 'on', version: before.version } },
      { method: 'PATCH', path: flag, json: { owner: 'me', variants: { plain: 'HACKED', off: '' }, version: before.version } },
      { method: 'DELETE', path: `${flag}?version=${before.version}` },
      { method: 'POST', path: `${flag}/restore`, json: { version: before.version } },
    ];
    for (const attempt of attempts) {
      const res = await call(attempt.path, { method: attempt.method, key: noProd, json: attempt.json });
      expect(res.status, `${attempt.method} ${JSON.stringify(attempt.json ?? attempt.path)}`).toBe(403);
    }
    expect(await detail()).toEqual(before);
  });

  it('lets it edit metadata, and lets an editor with production access change variants', async () => {
    const { version } = await detail();
    const owner = await call(flag, { method: 'PATCH', key: tokens.get('editor without production'), json: { owner: 'growth', version } });
    expect(owner.status).toBe(200);
    const variants = { plain: 'Welcome back', off: '' };
    const res = await call(flag, { method: 'PATCH', key: tokens.get('editor with production'), json: { variants, version: version + 1 } });
    expect(res.status).toBe(200);
    expect((await detail()).variants).toEqual(variants);
  });

  it('lets it change variants when no environment is production', async () => {
    await env.DB.prepare("UPDATE environments SET production = 0 WHERE key = 'production'").run();
    try {
      const { version } = await detail();
      const variants = { plain: 'Hello', off: '' };
      const res = await call(flag, { method: 'PATCH', key: tokens.get('editor without production'), json: { variants, version } });
      expect(res.status).toBe(200);
    } finally {
      await env.DB.prepare("UPDATE environments SET production = 1 WHERE key = 'production'").run();
    }
  });
});
