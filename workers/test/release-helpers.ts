// Helpers for the guarded-release tests: the plan API, metrics fed to a flag's conductor, alarms
// run on demand (time compressed: 1-second windows), and what SDKs evaluate from the snapshot.

import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { compileSnapshot, LatencySketch, type Snapshot } from '@edgeflags/core';
import { expect } from 'vitest';
import type { Plan } from '../src/releases/plan-store.ts';
import { conductorName } from '../src/releases/release-conductor.ts';
import type { Health } from '../src/releases/release-health.ts';
import { call, LOCAL_KEYS } from './seed.ts';

export const A = LOCAL_KEYS.admin;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const base = (flag: string, environment: string) => `/api/v1/flags/${flag}/environments/${environment}/releases`;

export interface Detail {
  plan: Plan;
  decisions: { action: string; rule: string | null; stage: number; actor: string; evidence: Record<string, unknown> | null }[];
  approval: { id: string; status: string; stage: number } | null;
  health: Health;
}

/** A new boolean release flag configured in every environment (off, control serves "off"). */
export async function newFlag(key: string, config: Record<string, unknown> = {}): Promise<void> {
  const res = await call('/api/v1/flags', {
    method: 'POST',
    key: A,
    json: { key, kind: 'boolean', owner: 'qa', variants: { on: true, off: false }, offVariant: 'off', type: 'release' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  if (Object.keys(config).length === 0) return;
  for (const environment of ['development', 'staging', 'production']) {
    const current = (await (await call(`/api/v1/flags/${key}/environments/${environment}`, { key: A })).json()) as Record<string, unknown>;
    const put = await call(`/api/v1/flags/${key}/environments/${environment}`, {
      method: 'PUT',
      key: A,
      json: { version: current.version, enabled: current.enabled, offVariant: 'off', defaultServe: current.defaultServe, ...config },
    });
    expect(put.status, await put.clone().text()).toBe(200);
  }
}

export async function create(flag: string, environment: string, body: Record<string, unknown>): Promise<Response> {
  return call(base(flag, environment), { method: 'POST', key: A, json: body });
}

export async function createOk(flag: string, environment: string, body: Record<string, unknown>): Promise<Plan> {
  const res = await create(flag, environment, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { plan: Plan }).plan;
}

export async function act(
  flag: string,
  environment: string,
  id: string,
  action: string,
  body: Record<string, unknown> = {},
  headers?: HeadersInit,
) {
  return call(`${base(flag, environment)}/${id}/${action}`, { method: 'POST', key: A, json: body, headers });
}

/** An action with the plan's current version. */
export async function actOk(flag: string, environment: string, id: string, action: string): Promise<Plan> {
  const { plan } = await detail(flag, environment, id);
  const res = await act(flag, environment, id, action, { version: plan.version });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { plan: Plan }).plan;
}

export async function detail(flag: string, environment: string, id: string): Promise<Detail> {
  const res = await call(`${base(flag, environment)}/${id}`, { key: A });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Detail;
}

export const conductor = (environment: string, flag: string) => env.CONDUCTOR.getByName(conductorName(environment, flag));

/** Runs the conductor's alarm now (its next decision), as if the window had passed. */
export async function tick(environment: string, flag: string): Promise<boolean> {
  return runDurableObjectAlarm(conductor(environment, flag));
}

export interface Outcomes {
  count: number;
  errors: number;
  /** Each request's latency (ms); a sketch is built from them. */
  latencyMs?: number;
}

/**
 * One window's outcomes for both variants, received at `at` (server ms), as the metrics consumer
 * hands them to the conductor. Latencies are spread ±10% around the given value.
 */
export async function feed(
  environment: string,
  flag: string,
  at: number,
  variants: Record<string, Outcomes>,
  source: 'server' | 'client' = 'server',
  caller = 'server-key',
) {
  const summaries = Object.entries(variants).map(([variant, o]) => {
    const summary: { flag: string; variant: string; count: number; errors: number; latency?: ReturnType<LatencySketch['toJSON']> } = {
      flag,
      variant,
      count: o.count,
      errors: o.errors,
    };
    if (o.latencyMs !== undefined) {
      const sketch = new LatencySketch();
      const n = Math.min(o.count, 500);
      for (let i = 0; i < n; i++) sketch.add(o.latencyMs * (0.9 + (0.2 * i) / n));
      summary.latency = sketch.toJSON();
    }
    return summary;
  });
  return conductor(environment, flag).ingest({ environment, flag, receivedAt: at, source, caller, summaries });
}

/** The first window start (ms) wholly inside the current stage, and the one after it. */
export function windowsAfter(stageStartedAt: number, windowSeconds: number, n: number): number[] {
  const w = windowSeconds * 1000;
  const first = Math.ceil((stageStartedAt + 1) / w) * w;
  return Array.from({ length: n }, (_, i) => first + i * w + 1);
}

/** What an SDK holding the environment's snapshot serves each context (read the way SDKs read it). */
export async function served(environment: string, flag: string, contexts: Record<string, unknown>[]): Promise<string[]> {
  const key = await serverKey(environment);
  const res = await call('/sdk/v1/snapshot', { key });
  expect(res.status).toBe(200);
  const snapshot = compileSnapshot((await res.json()) as Snapshot);
  return contexts.map((ctx) => snapshot.evaluate(flag, ctx as never).variant ?? 'error');
}

export async function snapshotOf(environment: string): Promise<Snapshot> {
  const res = await call('/sdk/v1/snapshot', { key: await serverKey(environment) });
  return (await res.json()) as Snapshot;
}

const keys = new Map<string, string>();
async function serverKey(environment: string): Promise<string> {
  const held = keys.get(environment);
  if (held) return held;
  const res = await call('/api/v1/sdk-keys', {
    method: 'POST',
    key: A,
    json: { name: `release tests ${environment}`, kind: 'server', environment },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { secret } = (await res.json()) as { secret: string };
  keys.set(environment, secret);
  return secret;
}

/** The flag's config in an environment, as the admin API answers it. */
export async function configOf(flag: string, environment: string) {
  return (await (await call(`/api/v1/flags/${flag}/environments/${environment}`, { key: A })).json()) as {
    version: number;
    enabled: boolean;
    defaultServe: { variant?: string; split?: { variant: string; weight: number }[] };
  };
}
