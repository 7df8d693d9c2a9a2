// Issue 11 §6: a switch carried in the snapshot is applied by the edge at its instant with no one
// checking again, so the flag-type policies judge it when it is proposed and when it is installed
// (a policy may tighten between the two).
import { beforeAll, describe, expect, it } from 'vitest';
import { A } from './release-helpers.ts';
import { call, seed } from './seed.ts';

const ENV = 'development';
const FLAG = 'sw-permission';
const split = [
  { variant: 'on', weight: 10 },
  { variant: 'off', weight: 90 },
];
const changes = `/api/v1/environments/${ENV}/change-requests`;

async function configOf(): Promise<{ version: number; scheduledSwitch?: unknown }> {
  return (await call(`/api/v1/flags/${FLAG}/environments/${ENV}`, { key: A })).json();
}

async function setPercentageSplits(allowed: boolean): Promise<void> {
  const read = (await (await call('/api/v1/settings/policies', { key: A })).json()) as {
    policies: { permission: Record<string, boolean> };
    version: number;
  };
  const policies = { ...read.policies, permission: { ...read.policies.permission, noPercentageSplits: !allowed } };
  const res = await call('/api/v1/settings/policies', { method: 'PUT', key: A, json: { policies, version: read.version } });
  expect(res.status, await res.clone().text()).toBe(200);
}

const proposeSplit = async () =>
  call(changes, {
    method: 'POST',
    key: A,
    json: {
      flag: FLAG,
      config: { enabled: true, offVariant: 'off', defaultServe: { split } },
      version: (await configOf()).version,
      applyAt: Date.now() + 60_000,
      inSnapshot: true,
    },
  });

beforeAll(async () => {
  await seed();
  const res = await call('/api/v1/flags', {
    method: 'POST',
    key: A,
    json: { key: FLAG, kind: 'boolean', type: 'permission', owner: 'qa', variants: { on: true, off: false }, offVariant: 'off' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
});

describe('a scheduled switch and the type policies', () => {
  it('is refused at proposal when it would put a permission flag on a percentage split', async () => {
    const res = await proposeSplit();
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'rule_violation', details: { rule: 'permission.no-percentage-splits' } } });
  });

  it('is refused at install when the policy tightened after the proposal, and nothing is scheduled', async () => {
    await setPercentageSplits(true);
    const proposed = await proposeSplit();
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const change = (await proposed.json()) as { id: string; version: number };
    await setPercentageSplits(false);
    const applied = await call(`${changes}/${change.id}/apply`, { method: 'POST', key: A, json: { version: change.version } });
    expect(applied.status, await applied.clone().text()).toBe(422);
    expect(await applied.json()).toMatchObject({ error: { code: 'rule_violation', details: { rule: 'permission.no-percentage-splits' } } });
    expect((await configOf()).scheduledSwitch ?? null).toBeNull();
    const after = (await (await call(`${changes}/${change.id}`, { key: A })).json()) as { changeRequest: { status: string } };
    expect(after.changeRequest.status).toBe('open');
  });
});
