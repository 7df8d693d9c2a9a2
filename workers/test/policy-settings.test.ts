// Issue 11 §2: policies are configurable per instance (admins, validated, version-guarded,
// audited), and flags that break a policy made before it are reported, not blocked.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const URL = '/api/v1/settings/policies';
const read = async () => json(await call(URL, { key: A }));
const put = (policies: Json, version?: number, key = A) => call(URL, { method: 'PUT', key, json: { policies, version } });

beforeAll(seed);

describe('policy settings', () => {
  it('start at the documented defaults, version 0', async () => {
    const stored = await read();
    expect(stored.version).toBe(0);
    expect(stored.policies).toEqual(stored.defaults);
    expect(stored.policies.naming.pattern).toBe('^[a-z][a-z0-9]*(-[a-z0-9]+)*$');
    expect(stored.policies.release).toMatchObject({ ownerRequired: true, expiryRequired: true, defaultExpiryDays: 90 });
    expect(stored.rules).toContain('migration.one-stage-at-a-time');
  });

  it('are changed by admins only, with the version they read', async () => {
    const { policies } = await read();
    const editor = await json(await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'ed', role: 'editor' } }));
    expect((await put(policies, 0, editor.secret)).status).toBe(403);
    expect((await put(policies)).status).toBe(428);
    expect((await put(policies, 5)).status).toBe(409);
    const team = { ...policies, naming: { pattern: '^team-[a-z-]+$', hint: 'team-<name>' } };
    const saved = await put(team, 0);
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect((await json(saved)).version).toBe(1);
    expect((await put(team, 0)).status).toBe(409);
    const audit = await json(await call('/api/v1/audit?limit=1', { key: A }));
    expect(audit.entries[0]).toMatchObject({ action: 'settings.policies', resourceType: 'settings' });
  });

  it('enforce the saved naming pattern at creation', async () => {
    const refused = await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'checkout-v3', kind: 'boolean', owner: 'x' } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).error.message).toContain('team-<name>');
    const ok = await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'team-checkout', kind: 'boolean', owner: 'x' } });
    expect(ok.status).toBe(200);
  });

  it.each([
    ['a lookahead RE2 cannot run', '^(?=a)b$', /lookahead/],
    ['a pattern over 200 characters', `^${'a'.repeat(210)}$`, /200/],
  ])('refuse %s with 400, keeping what is stored', async (_, pattern, message) => {
    const { policies, version } = await read();
    const res = await put({ ...policies, naming: { pattern, hint: '' } }, version);
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(message);
    expect((await read()).version).toBe(version);
  });

  it('refuse a partial document (every rule is stated)', async () => {
    const { policies, version } = await read();
    const { migration: _m, ...partial } = policies;
    expect((await put(partial, version)).status).toBe(400);
  });

  it('switch a rule off: a release flag without owner is then accepted', async () => {
    const { policies, version } = await read();
    const lax = { ...policies, naming: { pattern: '^.+$', hint: '' }, release: { ...policies.release, ownerRequired: false } };
    expect((await put(lax, version)).status).toBe(200);
    const res = await call('/api/v1/flags', { method: 'POST', key: A, json: { key: 'no-owner-ok', kind: 'boolean' } });
    expect(res.status).toBe(200);
    expect((await put(policies, version + 1)).status).toBe(200);
  });
});

describe('the policy report', () => {
  it('lists flags made before a policy with the rule they break, without blocking them', async () => {
    const report = await json(await call('/api/v1/policy-report', { key: A }));
    const noOwner = report.flags.find((f: Json) => f.key === 'no-owner-ok');
    expect(noOwner.violations.map((v: Json) => v.rule)).toContain('release.owner-required');
    // The seeded 5% split of new-pdf-engine in production predates the release-plan rule.
    const pdf = report.flags.find((f: Json) => f.key === 'new-pdf-engine');
    expect(pdf.violations).toContainEqual(
      expect.objectContaining({ rule: 'release.production-rollout-needs-plan', environment: 'production' }),
    );
    expect(report.counts['release.owner-required']).toBeGreaterThanOrEqual(1);
    const edit = await call('/api/v1/flags/no-owner-ok', { method: 'PATCH', key: A, json: { version: 1, description: 'kept' } });
    expect(edit.status).toBe(200);
  });
});
