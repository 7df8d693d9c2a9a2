// Four eyes means two people, not two credentials: a person signed in through Access and the
// tokens they own are one approver of a change request or a release plan (issue 11 §1 identity
// feeding §6 review). Access is the local stand-in of access-helpers.ts; Worker and D1 are real.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessCall, claims, type SigningKey, sign, signingKey, standIn, startAccessStandIn } from './access-helpers.ts';
import { A, configOf, newFlag } from './release-helpers.ts';
import { seed } from './seed.ts';

const ENV = 'staging';
const ADA = 'ada.review@example.com';
const BEN = 'ben.review@example.com';
const changes = `/api/v1/environments/${ENV}/change-requests`;
let key: SigningKey;
let adaToken1: string;
let adaToken2: string;
let benToken: string;

const adaJwt = () => sign(key, claims(ADA));
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

async function token(name: string, owner: string): Promise<string> {
  const res = await accessCall('/api/v1/admin-tokens', {
    method: 'POST',
    key: A,
    json: { name, role: 'editor', productionAccess: false, owner },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { secret: string }).secret;
}

beforeAll(async () => {
  await seed();
  key = await signingKey('kid-review');
  standIn.published = [key];
  standIn.identities.set(ADA, { name: 'Ada Review', groups: [] });
  startAccessStandIn();
  const bound = await accessCall('/api/v1/role-bindings', {
    method: 'POST',
    key: A,
    json: { kind: 'email', subject: ADA, role: 'editor' },
  });
  expect(bound.status).toBe(200);
  [adaToken1, adaToken2, benToken] = [await token('ada-1', ADA), await token('ada-2', ADA), await token('ben', BEN)];
  const review = await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
  expect(review.status).toBe(200);
});
afterAll(() => vi.restoreAllMocks());

describe('one person is one approver, whatever credential they use', () => {
  it('refuses the author approving their change request through another token they own, or through Access', async () => {
    await newFlag('ai-change');
    const { version } = await configOf('ai-change', ENV);
    const proposed = await accessCall(changes, {
      method: 'POST',
      key: adaToken1,
      json: { flag: 'ai-change', config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, version },
    });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const change = (await proposed.json()) as { id: string; version: number };
    const approve = (credential: { key?: string; jwt?: string }) =>
      accessCall(`${changes}/${change.id}/approve`, { method: 'POST', ...credential, json: { version: change.version } });
    const viaToken = await approve({ key: adaToken2 });
    expect(viaToken.status).toBe(422); // before: 200, and the request could be applied by Ada alone
    expect((await errorOf(viaToken)).message).toContain('author');
    expect((await approve({ jwt: await adaJwt() })).status).toBe(422);
    const apply = await accessCall(`${changes}/${change.id}/apply`, { method: 'POST', key: adaToken1, json: { version: change.version } });
    expect(apply.status).toBe(422);
    expect((await configOf('ai-change', ENV)).enabled).toBe(false);
    expect((await approve({ key: benToken })).status).toBe(200); // another person
  });

  it("refuses a release plan's creator approving it under another label (a token they own)", async () => {
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 0 } });
    await newFlag('ai-release', { bucketBy: 'accountId' });
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
    const stages = [{ percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } }];
    const created = await accessCall(`/api/v1/flags/ai-release/environments/${ENV}/releases`, {
      method: 'POST',
      jwt: await adaJwt(), // recorded as "Ada Review <ada.review@…>"
      json: { stages, settings: { windowSeconds: 1 } },
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const plan = ((await created.json()) as { plan: { id: string; version: number } }).plan;
    const rel = `/api/v1/flags/ai-release/environments/${ENV}/releases/${plan.id}`;
    const approve = (credential: { key?: string; jwt?: string }) =>
      accessCall(`${rel}/approve`, { method: 'POST', ...credential, json: { version: plan.version } });
    const own = await approve({ key: adaToken1 }); // "ada.review@… via token ada-1"
    expect(own.status).toBe(422); // before: 200, and the plan could start on Ada's word alone
    expect((await errorOf(own)).message).toContain('creator');
    const start = await accessCall(`${rel}/start`, { method: 'POST', key: A, json: { version: plan.version } });
    expect((await errorOf(start)).code).toBe('review_required');
    expect((await approve({ key: benToken })).status).toBe(200);
    expect((await approve({ key: benToken })).status).toBe(422); // the same person twice counts once
  });
});

describe('an approval whose giver lost their role', () => {
  it('stops counting when their email binding is deleted (they re-approve if they still may)', async () => {
    const CY = 'cy.review@example.com';
    standIn.identities.set(CY, { name: 'Cy Review', groups: [] });
    const bound = await accessCall('/api/v1/role-bindings', {
      method: 'POST',
      key: A,
      json: { kind: 'email', subject: CY, role: 'editor' },
    });
    expect(bound.status, await bound.clone().text()).toBe(200);
    const binding = (await bound.json()) as { id: string };
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 0 } });
    await newFlag('ai-withdrawn');
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
    const { version } = await configOf('ai-withdrawn', ENV);
    const proposed = await accessCall(changes, {
      method: 'POST',
      key: A,
      json: { flag: 'ai-withdrawn', config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, version },
    });
    const change = (await proposed.json()) as { id: string; version: number };
    const approved = await accessCall(`${changes}/${change.id}/approve`, {
      method: 'POST',
      jwt: await sign(key, claims(CY)),
      json: { version: change.version },
    });
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect((await accessCall(`/api/v1/role-bindings/${binding.id}`, { method: 'DELETE', key: A })).status).toBe(200);
    const apply = await accessCall(`${changes}/${change.id}/apply`, { method: 'POST', key: A, json: { version: change.version + 1 } });
    expect(apply.status, await apply.clone().text()).toBe(422);
    expect((await configOf('ai-withdrawn', ENV)).enabled).toBe(false);
  });
});

describe("a release draft's approval whose giver lost their role", () => {
  it('stops counting when their email binding is deleted: the plan does not start', async () => {
    const DEE = 'dee.review@example.com';
    standIn.identities.set(DEE, { name: 'Dee Review', groups: [] });
    const bound = await accessCall('/api/v1/role-bindings', {
      method: 'POST',
      key: A,
      json: { kind: 'email', subject: DEE, role: 'editor' },
    });
    const binding = (await bound.json()) as { id: string };
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 0 } });
    await newFlag('ai-plan-withdrawn', { bucketBy: 'accountId' });
    await accessCall(`/api/v1/environments/${ENV}/review`, { method: 'PUT', key: A, json: { requiredApprovals: 1 } });
    const stages = [{ percentage: 100, minDurationSeconds: 0, checks: { errorRate: { maxRatio: 2 } } }];
    const rels = `/api/v1/flags/ai-plan-withdrawn/environments/${ENV}/releases`;
    const created = await accessCall(rels, { method: 'POST', key: A, json: { stages, settings: { windowSeconds: 1 } } });
    expect(created.status, await created.clone().text()).toBe(200);
    const plan = ((await created.json()) as { plan: { id: string; version: number } }).plan;
    const approved = await accessCall(`${rels}/${plan.id}/approve`, {
      method: 'POST',
      jwt: await sign(key, claims(DEE)),
      json: { version: plan.version },
    });
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect((await accessCall(`/api/v1/role-bindings/${binding.id}`, { method: 'DELETE', key: A })).status).toBe(200);
    const start = await accessCall(`${rels}/${plan.id}/start`, { method: 'POST', key: A, json: { version: plan.version } });
    expect(start.status, await start.clone().text()).toBe(422);
    expect((await errorOf(start)).code).toBe('review_required');
  });
});
