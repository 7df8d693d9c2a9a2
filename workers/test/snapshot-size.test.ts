// Snapshot size (issue 8, item 2): the limit is checked on the compiled snapshot before anything
// is saved, at the constant itself (MAX_SNAPSHOT_BYTES, from Cloudflare's production limits that
// the local runtime does not enforce), and the hub keeps serving an environment stored larger.
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_CHARS, HUB_MAX_SNAPSHOT_CHARS, SnapshotStore } from '../src/hub/snapshot-store.ts';
import { MAX_SNAPSHOT_BYTES } from '../src/snapshot/snapshot-limits.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

beforeAll(seed);

const admin = (path: string, init: Parameters<typeof call>[1] = {}) => call(`/api/v1${path}`, { key: LOCAL_KEYS.admin, ...init });

/** Bytes of the snapshot SDKs download for development (ASCII here, so length is bytes). */
async function snapshotBytes(): Promise<number> {
  const res = await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
  return (await res.text()).length;
}

/** Segment members that add exactly `bytes` to the JSON after a first member (`,"…"` each). */
function membersAdding(bytes: number, prefix: string): string[] {
  const members: string[] = [];
  for (let left = bytes, i = 0; left > 0; i++) {
    const size = left > 259 ? 200 : left - 3; // one member: its characters plus quotes and comma
    members.push(`${prefix}${i}-`.padEnd(size, 'x'));
    left -= size + 3;
  }
  return members;
}

async function state() {
  const row = await env.DB.prepare(
    `SELECT (SELECT snapshot_version FROM environments WHERE key = 'development') AS version,
            (SELECT count(*) FROM audit_log) AS audits,
            (SELECT version FROM segments WHERE environment = 'development' AND key = 'big') AS segment`,
  ).first();
  return row;
}

describe('the snapshot size limit (item 2)', () => {
  let members: string[] = [];
  let gap = 0;

  it('is 1 MB, inside the 2 MB Durable Object value / D1 row caps and KV 25 MiB', () => {
    expect(MAX_SNAPSHOT_BYTES).toBe(1_000_000);
    expect(MAX_SNAPSHOT_BYTES).toBeLessThan(2_000_000);
  });

  it('refuses a segment write that makes the snapshot one byte over the limit with 413, naming limit and size, and changes nothing', async () => {
    const start = await snapshotBytes();
    members = Array.from({ length: Math.floor((MAX_SNAPSHOT_BYTES - start - 400) / 103) }, (_, i) => `member-${i}-`.padEnd(100, 'm'));
    const created = await admin('/environments/development/segments/big', {
      method: 'PUT',
      headers: { 'If-None-Match': '*' },
      json: { included: members },
    });
    expect(created.status).toBe(200);
    gap = MAX_SNAPSHOT_BYTES - (await snapshotBytes());
    expect(gap).toBeGreaterThan(3);

    const before = await state();
    const over = await admin('/environments/development/segments/big', {
      method: 'PUT',
      headers: { 'If-Match': '"1"' },
      json: { included: [...members, ...membersAdding(gap + 1, 'over')] },
    });
    expect(over.status).toBe(413);
    const { error } = (await over.json()) as { error: { code: string; message: string; details: unknown } };
    expect(error.code).toBe('snapshot_too_large');
    expect(error.message).toContain('1,000,000 bytes');
    expect(error.message).toContain('1,000,001 bytes');
    expect(error.details).toEqual({ limitBytes: MAX_SNAPSHOT_BYTES, sizeBytes: MAX_SNAPSHOT_BYTES + 1 });
    expect(await state()).toEqual(before);
  });

  it('accepts the same write when it lands exactly on the limit', async () => {
    const exact = await admin('/environments/development/segments/big', {
      method: 'PUT',
      headers: { 'If-Match': '"1"' },
      json: { included: [...members, ...membersAdding(gap, 'exact')] },
    });
    expect(exact.status).toBe(200);
    expect(await snapshotBytes()).toBe(MAX_SNAPSHOT_BYTES);
  });

  it('at the limit: a targeting write and a flag create are refused before saving, a kill switch still passes', async () => {
    const before = await state();
    type Config = {
      version: number;
      enabled: boolean;
      offVariant: string;
      prerequisites: unknown[];
      rules: unknown[];
      defaultServe: unknown;
      bucketBy: string | null;
    };
    const { version, enabled, offVariant, prerequisites, rules, defaultServe, bucketBy } = (await (
      await admin('/flags/ai-chatbot/environments/development')
    ).json()) as Config;
    const targeting = await admin('/flags/ai-chatbot/environments/development', {
      method: 'PUT',
      json: {
        version,
        enabled,
        offVariant,
        prerequisites,
        rules,
        defaultServe,
        bucketBy,
        targets: [{ variant: offVariant, values: ['one-more-user'] }],
      },
    });
    expect(targeting.status).toBe(413);
    expect(((await targeting.json()) as { error: { code: string } }).error.code).toBe('snapshot_too_large');
    const create = await admin('/flags', { method: 'POST', json: { key: 'one-more-flag', kind: 'boolean', owner: 'qa' } });
    expect(create.status).toBe(413);
    expect(((await create.json()) as { error: { code: string } }).error.code).toBe('snapshot_too_large');
    expect((await admin('/flags/one-more-flag')).status).toBe(404);
    expect(await state()).toEqual(before);

    // "true" → "false" makes the snapshot one byte larger: the emergency action is never refused for size.
    const kill = await admin('/flags/new-pdf-engine/environments/development/toggle', { method: 'POST', json: { enabled: false } });
    expect(kill.status).toBe(200);
    expect((await kill.json()) as { delivery: string }).toMatchObject({ delivery: 'delivered' });
  });
});

describe('the hub with a snapshot stored before the limit existed', () => {
  it('stores a 3 MB snapshot in chunks of at most 1 MiB, and serves it whole after eviction', async () => {
    const stub = env.HUB.getByName(`big-${crypto.randomUUID()}`);
    const snapshot = JSON.stringify({ environment: 'big', version: 1, flags: [], padding: 'é'.repeat(3_000_000) });
    expect(await stub.publish({ version: 1, snapshot, etag: '"big.1"', changed: [] })).toMatchObject({ version: 1 });
    const sizes = await runInDurableObject(stub, (_hub, state) =>
      [...state.storage.kv.list<string>({ prefix: 'snapshot' })].map(([, value]) => value.length),
    );
    expect(sizes.length).toBeGreaterThan(1);
    for (const chars of sizes) expect(chars).toBeLessThanOrEqual(CHUNK_CHARS); // ≤ 1 MiB even as UTF-16
    await evictDurableObject(stub);
    expect((await stub.current())?.snapshot).toBe(snapshot);
  });

  it('refuses one over its ceiling (KV 25 MiB) with a clear error, keeping what it had', async () => {
    const stub = env.HUB.getByName(`huge-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_hub, state) => {
      const store = new SnapshotStore(state.storage.kv);
      store.put(1, '"e.1"', '{"flags":[]}');
      expect(() => store.put(2, '"e.2"', 'x'.repeat(HUB_MAX_SNAPSHOT_CHARS + 1))).toThrow(/25 MiB/);
      expect(store.head()).toMatchObject({ version: 1 });
    });
  });
});
