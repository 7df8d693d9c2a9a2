/// <reference types="vite/client" />
import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { flagConfigs, flags } from '../../drizzle/schema.ts';
import { db } from '../src/db.ts';
import { buildSnapshot } from '../src/snapshot/build-snapshot.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

/**
 * drizzle maps D1's batch rows (objects) back to arrays with Object.values, so two joined tables
 * sharing a column name (version, updated_at, ...) collapse into one key and every later field
 * shifts. Outside a batch drizzle reads arrays (`.raw()`) and is right; these tests pin both.
 */
const A = LOCAL_KEYS.admin;
const flagUrl = '/api/v1/flags/new-pdf-engine';
const cfgUrl = `${flagUrl}/environments/development`;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;

beforeEach(seed);

describe('batched reads with joins', () => {
  it("carries each flag's CONFIG version in the snapshot, however often its metadata was edited", async () => {
    // Metadata edits move the flag's own version, not its development configuration's.
    for (const description of ['one', 'two', 'three']) {
      const { version } = await json(await call(flagUrl, { key: A }));
      expect((await call(flagUrl, { method: 'PATCH', key: A, json: { description, version } })).status).toBe(200);
    }
    const cfg = await json(await call(cfgUrl, { key: A }));
    const res = await call(`${cfgUrl}/rollout`, { method: 'PUT', key: A, json: { percentage: 30, version: cfg.version } });
    expect(res.status).toBe(200);
    const flag = await json(await call(flagUrl, { key: A }));
    const config = await json(await call(cfgUrl, { key: A }));
    expect(flag.version).not.toBe(config.version);

    const built = await buildSnapshot(db(env), 'development');
    expect(built.flags.find((f) => f.key === 'new-pdf-engine')?.version).toBe(config.version);
    // What server SDKs download: the definition's version is the configuration's.
    const served = await json(await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server }));
    const def = (served.flags as Json[]).find((f) => f.key === 'new-pdf-engine');
    expect(def).toMatchObject({ version: config.version, enabled: config.enabled, defaultServe: config.defaultServe });
  });

  it('refuses a joined select in a batch, so no read can get shifted fields again', async () => {
    const d = db(env);
    const joined = d.select().from(flagConfigs).innerJoin(flags, eq(flags.key, flagConfigs.flagKey));
    await expect(d.batch([joined])).rejects.toThrow(/join/i);
    // The same join outside a batch reads arrays and is right, field by field.
    const [row] = await joined.where(eq(flags.key, 'new-pdf-engine'));
    expect(typeof row?.flags.createdAt).toBe('number');
  });

  it('builds every drizzle handle in db.ts, so every batch passes its join guard', () => {
    const sources = import.meta.glob<string>('../src/**/*.ts', { query: '?raw', import: 'default', eager: true });
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const outside = Object.entries(sources)
      .filter(([path, text]) => path !== '../src/db.ts' && /\bdrizzle\(/.test(text))
      .map(([path]) => path);
    expect(outside).toEqual([]);
  });
});
