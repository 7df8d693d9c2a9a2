// Issue 11 §7: the dependency graph (prerequisites, segment use, live release plans) and the one
// rule that refuses to archive or delete what is still used (409 in_use naming the dependents).
import { beforeAll, describe, expect, it } from 'vitest';
import { createOk, newFlag } from './release-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const cfgUrl = (key: string, environment: string) => `/api/v1/flags/${key}/environments/${environment}`;

async function putConfig(key: string, environment: string, change: Json): Promise<void> {
  const c = await json(await call(cfgUrl(key, environment), { key: A }));
  const { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy, version } = c;
  const res = await call(cfgUrl(key, environment), {
    method: 'PUT',
    key: A,
    json: { enabled, offVariant, prerequisites, targets, rules, defaultServe, bucketBy, version, ...change },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
async function archive(key: string): Promise<Response> {
  const { version } = await json(await call(`/api/v1/flags/${key}`, { key: A }));
  return call(`/api/v1/flags/${key}?version=${version}`, { method: 'DELETE', key: A });
}
const inSegment = (segment: string) => [
  { conditions: [{ attribute: 'targetingKey', op: 'inSegment', values: [segment] }], serve: { variant: 'on' } },
];

beforeAll(async () => {
  await seed();
  await newFlag('checkout-base');
  await newFlag('checkout-upsell');
  await newFlag('beta-banner');
  await putConfig('checkout-upsell', 'staging', { prerequisites: [{ flag: 'checkout-base', variants: ['on'] }] });
  const seg = await call('/api/v1/environments/staging/segments/beta-users', {
    method: 'PUT',
    key: A,
    headers: { 'If-None-Match': '*' },
    json: { included: ['u1'] },
  });
  expect(seg.status).toBe(200);
  await putConfig('beta-banner', 'staging', { rules: inSegment('beta-users') });
});

describe('GET /graph', () => {
  it('draws prerequisites, segment use and live releases as edges from the dependent', async () => {
    await createOk('beta-banner', 'development', { start: true });
    const graph = await json(await call('/api/v1/graph', { key: A }));
    expect(graph.edges).toContainEqual({
      from: 'flag:checkout-upsell',
      to: 'flag:checkout-base',
      kind: 'prerequisite',
      environment: 'staging',
    });
    expect(graph.edges).toContainEqual({
      from: 'flag:beta-banner',
      to: 'segment:staging/beta-users',
      kind: 'segment',
      environment: 'staging',
    });
    expect(graph.edges).toContainEqual(expect.objectContaining({ to: 'flag:beta-banner', kind: 'release', environment: 'development' }));
    const ids = new Set(graph.nodes.map((n: Json) => n.id));
    for (const e of graph.edges) expect(ids.has(e.from) && ids.has(e.to), JSON.stringify(e)).toBe(true);
    expect(graph.nodes).toContainEqual(expect.objectContaining({ id: 'segment:staging/beta-users', kind: 'segment' }));
  });

  it('is readable by viewers', async () => {
    const viewer = await json(await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'v', role: 'viewer' } }));
    expect((await call('/api/v1/graph', { key: viewer.secret })).status).toBe(200);
  });
});

describe('refusing to archive or delete what is still used (409 in_use)', () => {
  it('a flag that is another flag’s prerequisite', async () => {
    const res = await archive('checkout-base');
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error).toMatchObject({
      code: 'in_use',
      message: expect.stringContaining('flag "checkout-upsell" has "checkout-base" as a prerequisite'),
    });
    expect(error.details.dependents).toEqual([{ kind: 'prerequisite', flag: 'checkout-upsell', environment: 'staging' }]);
  });

  it('a flag with a live release plan, naming the release', async () => {
    const res = await archive('beta-banner');
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error.code).toBe('in_use');
    expect(error.message).toMatch(/release [0-9a-f-]+ of "beta-banner" is running in "development"/);
    expect(error.details.dependents[0]).toMatchObject({ kind: 'release', environment: 'development', status: 'running' });
  });

  it('a segment a flag rule uses, naming the flag', async () => {
    const res = await call('/api/v1/environments/staging/segments/beta-users?version=1', { method: 'DELETE', key: A });
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error).toMatchObject({ code: 'in_use', message: expect.stringContaining('flag "beta-banner" uses segment "beta-users"') });
    expect(error.details.dependents).toEqual([{ kind: 'segment-rule', flag: 'beta-banner', environment: 'staging' }]);
  });

  it('and allows it once nothing depends on it', async () => {
    await putConfig('checkout-upsell', 'staging', { prerequisites: [] });
    expect((await archive('checkout-base')).status).toBe(200);
    const graph = await json(await call('/api/v1/graph', { key: A }));
    expect(graph.nodes.map((n: Json) => n.id)).not.toContain('flag:checkout-base');
  });
});
