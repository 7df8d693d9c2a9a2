// Changes that must happen even if the control plane is down ride in the snapshot (issue 11 §6):
// a change request with `inSnapshot` installs a switch that the edge applies at its instant
// (evaluation ETags change with it), and the hub's alarm at that instant settles it into D1 and
// pushes the new version. Core (sdk/core/test/scheduled-switch.test.ts) and the Node SDK
// (sdk/node/src/scheduled-switch.test.ts) evaluate the same switch at at-1ms and at+1ms.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import type { Snapshot } from '@edgeflags/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScheduledChanges } from '../src/changes/scheduled-changes.ts';
import { evaluateForKey, evaluationEtag } from '../src/sdk/bulk-evaluate.ts';
import { EdgeSnapshotCache } from '../src/snapshot/edge-cache.ts';
import { NoFreshness } from '../src/snapshot/location-freshness.ts';
import { A, configOf, newFlag, sleep, snapshotOf } from './release-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const ENV = 'development';
const S = LOCAL_KEYS.server;

async function scheduleLaunch(flag: string, at: number) {
  await newFlag(flag);
  const current = await configOf(flag, ENV);
  const proposed = await call(`/api/v1/environments/${ENV}/change-requests`, {
    method: 'POST',
    key: A,
    json: {
      flag,
      config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
      version: current.version,
      applyAt: at,
      inSnapshot: true,
    },
  });
  expect(proposed.status, await proposed.clone().text()).toBe(200);
  const change = (await proposed.json()) as { id: string; version: number };
  // No approvals needed in development: applying installs the switch in the snapshot now.
  const applied = await call(`/api/v1/environments/${ENV}/change-requests/${change.id}/apply`, {
    method: 'POST',
    key: A,
    json: { version: change.version },
  });
  expect(applied.status, await applied.clone().text()).toBe(200);
  return (await applied.json()) as { changeRequest: { status: string; outcome: string } };
}

const evaluate = (etag?: string) =>
  call('/sdk/v1/evaluate', {
    method: 'POST',
    key: S,
    json: { context: { targetingKey: 'u1' } },
    headers: etag ? { 'If-None-Match': etag } : undefined,
  });

beforeAll(async () => {
  await seed();
});

describe('a switch carried in the snapshot', () => {
  it('is in the snapshot SDKs download, and the edge read path applies it at at-1ms / at+1ms with a new ETag', async () => {
    const at = Date.now() + 60_000;
    const { changeRequest } = await scheduleLaunch('sw-edge', at);
    expect(changeRequest.status).toBe('applied');
    expect(changeRequest.outcome).toContain('switch scheduled');
    expect((await configOf('sw-edge', ENV)).enabled).toBe(false);
    const snapshot = (await (await call('/sdk/v1/snapshot', { key: S })).json()) as Snapshot;
    expect(snapshot.flags.find((f) => f.key === 'sw-edge')?.scheduledSwitch).toEqual({
      at,
      config: expect.objectContaining({ enabled: true }),
    });

    let now = at - 1;
    const isolate = new EdgeSnapshotCache({ now: () => now, freshness: new NoFreshness() });
    const before = await isolate.read(env, ENV);
    const ctx = { targetingKey: 'u1' };
    expect(evaluateForKey(before, 'server', ctx)['sw-edge']?.value).toBe(false);
    const etagBefore = evaluationEtag(before, 'server', ctx);
    now = at + 1;
    const after = await isolate.read(env, ENV);
    expect(after.version).toBe(before.version);
    expect(evaluateForKey(after, 'server', ctx)['sw-edge']?.value).toBe(true);
    expect(evaluationEtag(after, 'server', ctx)).not.toBe(etagBefore);
  });

  it('is installed by the cron as soon as it is approved, ahead of its instant', async () => {
    await newFlag('sw-cron');
    const current = await configOf('sw-cron', ENV);
    const at = Date.now() + 3_600_000;
    const res = await call(`/api/v1/environments/${ENV}/change-requests`, {
      method: 'POST',
      key: A,
      json: {
        flag: 'sw-cron',
        config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
        version: current.version,
        applyAt: at,
        inSnapshot: true,
      },
    });
    const change = (await res.json()) as { id: string };
    expect((await runScheduledChanges(env, Date.now())).applied).toContain(change.id);
    const stored = (await configOf('sw-cron', ENV)) as unknown as { enabled: boolean; scheduledSwitch: { at: number } };
    expect(stored.enabled).toBe(false);
    expect(stored.scheduledSwitch.at).toBe(at);
  });

  it('switches on the evaluate route at its instant, and the hub alarm at that instant settles it into D1', async () => {
    const at = Date.now() + 1500;
    await scheduleLaunch('sw-live', at);
    const hub = env.HUB.getByName(ENV);
    const headBefore = await hub.current();
    const versionBefore = (await configOf('sw-live', ENV)).version;
    const first = await evaluate();
    const etag = first.headers.get('ETag') as string;
    expect(((await first.json()) as { flags: Record<string, { value: unknown }> }).flags['sw-live']?.value).toBe(false);
    await sleep(Math.max(0, at - Date.now()) + 50);
    // Past the instant: the switched value, and the old ETag no longer matches.
    const second = await evaluate(etag);
    expect(second.status).toBe(200);
    expect(((await second.json()) as { flags: Record<string, { value: unknown }> }).flags['sw-live']?.value).toBe(true);
    expect(second.headers.get('ETag')).not.toBe(etag);
    // The hub's alarm was set for the instant (it may have run already; then this finds none).
    await runDurableObjectAlarm(hub);
    for (let i = 0; i < 20 && (await configOf('sw-live', ENV)).version === versionBefore; i++) await sleep(100);
    const settled = await configOf('sw-live', ENV);
    expect(settled.enabled).toBe(true);
    expect(settled.version).toBe(versionBefore + 1);
    expect((settled as unknown as { scheduledSwitch: unknown }).scheduledSwitch).toBeNull();
    const entry = await env.DB.prepare("SELECT actor FROM audit_log WHERE resource_key = 'sw-live' AND action = 'config.switch'").first<{
      actor: string;
    }>();
    expect(entry?.actor).toContain('scheduler');
    // The settle published a new version through the hub: every stream is told, browsers refetch.
    expect((await hub.current())?.version).toBeGreaterThan(headBefore?.version ?? 0);
  });
});

describe('the kill switch and a pending switch', () => {
  it('cancels the pending switch, so its instant does not switch the flag back on', async () => {
    const at = Date.now() + 60_000;
    await scheduleLaunch('sw-killed', at);
    expect(((await configOf('sw-killed', ENV)) as { scheduledSwitch?: unknown }).scheduledSwitch).toBeTruthy();
    // Already off: before, this was "already protective" and the switch stayed, to turn it on at `at`.
    const kill = await call(`/api/v1/flags/sw-killed/environments/${ENV}/toggle`, { method: 'POST', key: A, json: { enabled: false } });
    expect(kill.status, await kill.clone().text()).toBe(200);
    const after = (await configOf('sw-killed', ENV)) as { enabled: boolean; scheduledSwitch?: unknown };
    expect(after.scheduledSwitch ?? null).toBeNull();
    await runScheduledChanges(env, at + 1);
    expect((await configOf('sw-killed', ENV)).enabled).toBe(false);
    const snapshot = await snapshotOf(ENV);
    expect(snapshot.flags.find((f) => f.key === 'sw-killed')?.scheduledSwitch).toBeUndefined();
  });
});

describe('what a pending switch names', () => {
  it('cannot be deleted or archived before its instant (409 in_use), so the switch never serves a missing segment or prerequisite', async () => {
    const segment = `/api/v1/environments/${ENV}/segments/sw-vip`;
    const seg = await call(segment, { method: 'PUT', key: A, headers: { 'If-None-Match': '*' }, json: { included: ['u1'] } });
    expect(seg.status, await seg.clone().text()).toBe(200);
    await newFlag('sw-base');
    await newFlag('sw-later');
    const current = await configOf('sw-later', ENV);
    const config = {
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'off' },
      prerequisites: [{ flag: 'sw-base', variants: ['off'] }],
      rules: [{ conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: ['sw-vip'] }], serve: { variant: 'on' } }],
    };
    const base = `/api/v1/environments/${ENV}/change-requests`;
    const proposed = await call(base, {
      method: 'POST',
      key: A,
      json: { flag: 'sw-later', config, version: current.version, applyAt: Date.now() + 60_000, inSnapshot: true },
    });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const change = (await proposed.json()) as { id: string; version: number };
    const applied = await call(`${base}/${change.id}/apply`, { method: 'POST', key: A, json: { version: change.version } });
    expect(applied.status, await applied.clone().text()).toBe(200);
    const deleted = await call(`${segment}?version=1`, { method: 'DELETE', key: A });
    expect(deleted.status, await deleted.clone().text()).toBe(409);
    const flag = (await (await call('/api/v1/flags/sw-base', { key: A })).json()) as { version: number };
    const archived = await call(`/api/v1/flags/sw-base?version=${flag.version}`, { method: 'DELETE', key: A });
    expect(archived.status, await archived.clone().text()).toBe(409);
  });
});

describe('installing a switch', () => {
  it('validates the switched configuration against the environment as it is then (a segment deleted since the proposal: 422, nothing installed)', async () => {
    const segment = `/api/v1/environments/${ENV}/segments/sw-gone`;
    const seg = await call(segment, { method: 'PUT', key: A, headers: { 'If-None-Match': '*' }, json: { included: ['u1'] } });
    expect(seg.status, await seg.clone().text()).toBe(200);
    await newFlag('sw-orphan');
    const current = await configOf('sw-orphan', ENV);
    const rules = [{ conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: ['sw-gone'] }], serve: { variant: 'on' } }];
    const base = `/api/v1/environments/${ENV}/change-requests`;
    const proposed = await call(base, {
      method: 'POST',
      key: A,
      json: {
        flag: 'sw-orphan',
        config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'off' }, rules },
        version: current.version,
        applyAt: Date.now() + 60_000,
        inSnapshot: true,
      },
    });
    expect(proposed.status, await proposed.clone().text()).toBe(200);
    const change = (await proposed.json()) as { id: string; version: number };
    expect((await call(`${segment}?version=1`, { method: 'DELETE', key: A })).status).toBe(200);
    const applied = await call(`${base}/${change.id}/apply`, { method: 'POST', key: A, json: { version: change.version } });
    expect(applied.status, await applied.clone().text()).toBe(422);
    expect(((await configOf('sw-orphan', ENV)) as { scheduledSwitch?: unknown }).scheduledSwitch ?? null).toBeNull();
  });
});

describe('a write after a switch’s instant, before it settled', () => {
  it('settles the switch first and is re-read (409), so settling later cannot overwrite it', async () => {
    await newFlag('sw-race');
    // The state an alarm that failed at the instant leaves (D1 down then): a due switch not settled.
    const due = { at: Date.now() - 1000, config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } };
    await env.DB.prepare("UPDATE flag_configs SET scheduled_switch = ? WHERE flag_key = 'sw-race' AND environment = ?")
      .bind(JSON.stringify(due), ENV)
      .run();
    const before = await configOf('sw-race', ENV);
    const cfg = `/api/v1/flags/sw-race/environments/${ENV}`;
    const put = (version: number) =>
      call(cfg, {
        method: 'PUT',
        key: A,
        json: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' }, rules: [], version, reason: 'x' },
      });
    const stale = await put(before.version);
    expect(stale.status, await stale.clone().text()).toBe(409); // before: 200, then overwritten below
    const settled = (await configOf('sw-race', ENV)) as { enabled: boolean; version: number; scheduledSwitch?: unknown };
    expect(settled.enabled).toBe(true);
    expect(settled.scheduledSwitch ?? null).toBeNull();
    const again = await put(settled.version);
    expect(again.status, await again.clone().text()).toBe(200);
    await runScheduledChanges(env, Date.now());
    expect((await configOf('sw-race', ENV)).enabled).toBe(false);
  });
});
