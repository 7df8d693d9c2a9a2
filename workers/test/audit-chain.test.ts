// The tamper-evident audit log (issue 11 §1, docs/audit.md): entries are chained by the
// AuditSealer after each write, in id order, into one linear chain whose head is anchored outside
// D1; GET /audit/verify names the first edited, deleted or truncated entry; and a sealer that
// throws or hangs never fails or delays a write, the kill switch included. Real D1, DO and KV;
// the only mocks are the sealer faults.
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANCHOR_KV_KEY, SEALER_NAME } from '../src/audit/audit-sealer.ts';
import { type ChainAnchor, type ChainEntry, entryHash, GENESIS } from '../src/audit/chain.ts';
import { sealer } from '../src/audit/seal.ts';
import { enforceRetention } from '../src/lifecycle/retention.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;

beforeAll(seed);
afterEach(() => vi.restoreAllMocks());

interface Verification {
  ok: boolean;
  entries: number;
  sealed: number;
  unsealed: number;
  head: { id: number; hash: string } | null;
  anchor: ChainAnchor | null;
  problems: { id: number; kind: string; message: string }[];
}

async function verify(): Promise<Verification> {
  const res = await call('/api/v1/audit/verify', { key: A });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Verification;
}

const rows = async () =>
  (
    await env.DB.prepare(
      `SELECT id, at, actor, action, resource_type AS resourceType, resource_key AS resourceKey, environment, before, after, reason,
       hash, prev_hash AS prevHash FROM audit_log ORDER BY id`,
    ).all<ChainEntry>()
  ).results;

const createSegment = (name: string) =>
  call(`/api/v1/environments/development/segments/${name}`, {
    method: 'PUT',
    key: A,
    json: { included: [name] },
    headers: { 'If-None-Match': '*' },
  });

const toggle = (flag: string, enabled: boolean, version?: number) =>
  call(`/api/v1/flags/${flag}/environments/development/toggle`, {
    method: 'POST',
    key: A,
    json: { enabled, reason: 'audit chain test', ...(version !== undefined && { version }) },
  });

/** KV's copy of the anchor once it reached `id` (KV takes one write a second, so it may trail by one). */
async function kvCopy(id: number): Promise<ChainAnchor> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const copy = await env.SNAPSHOTS.get<ChainAnchor>(ANCHOR_KV_KEY, 'json');
    if (copy?.id === id) return copy;
    if (Date.now() > deadline) throw new Error(`the KV copy of the anchor is at ${copy?.id}, not ${id}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deletes rows and gives back a function that puts them back exactly (hash columns included). */
async function removeRows(where: string): Promise<() => Promise<void>> {
  const gone = (await env.DB.prepare(`SELECT * FROM audit_log WHERE ${where}`).all<Record<string, unknown>>()).results;
  await env.DB.prepare(`DELETE FROM audit_log WHERE ${where}`).run();
  return async () => {
    for (const row of gone) {
      const cols = Object.keys(row);
      await env.DB.prepare(`INSERT INTO audit_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
        .bind(...cols.map((c) => row[c]))
        .run();
    }
  };
}

describe('the audit chain', () => {
  it('seals concurrent writes into one linear chain, in id order, anchored in the sealer and KV', async () => {
    // Twelve writes at once, while sealers are asked concurrently too.
    const writes = Array.from({ length: 12 }, (_, i) => createSegment(`chain-${i}`));
    const seals = Array.from({ length: 5 }, () => sealer(env).seal());
    for (const res of await Promise.all(writes)) expect(res.status).toBe(200);
    await Promise.all(seals);
    const anchor = await sealer(env).seal();

    const log = await rows();
    expect(log.length).toBeGreaterThanOrEqual(12);
    let prev = GENESIS;
    for (const row of log) {
      expect(row.prevHash, `entry ${row.id}`).toBe(prev);
      expect(row.hash, `entry ${row.id}`).toBe(await entryHash(prev, row));
      prev = row.hash as string;
    }
    const newest = log.at(-1)!;
    expect(anchor).toMatchObject({ id: newest.id, hash: newest.hash, count: log.length });
    expect(await kvCopy(newest.id)).toMatchObject({ id: newest.id, hash: newest.hash });

    const v = await verify();
    expect(v).toMatchObject({ ok: true, entries: log.length, sealed: log.length, unsealed: 0, problems: [] });
    expect(v.anchor?.id).toBe(newest.id);
  });

  it('seals after the answer on its own (waitUntil), without anyone asking the sealer', async () => {
    expect((await createSegment('chain-by-itself')).status).toBe(200);
    const id = (await env.DB.prepare('SELECT max(id) AS id FROM audit_log').first<{ id: number }>())!.id;
    const deadline = Date.now() + 5000;
    while ((await env.DB.prepare('SELECT hash FROM audit_log WHERE id = ?').bind(id).first<{ hash: string | null }>())?.hash == null) {
      if (Date.now() > deadline) throw new Error(`entry ${id} was not sealed after the write`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('a kill switch applies and is audited while the sealer throws or hangs; the entry is sealed once the sealer is back', async () => {
    const original = env.AUDIT_SEALER.getByName.bind(env.AUDIT_SEALER);
    // Fault 1: reaching the sealer throws.
    vi.spyOn(env.AUDIT_SEALER, 'getByName').mockImplementation(() => {
      throw new Error('sealer unreachable');
    });
    const off = await toggle('new-pdf-engine', false);
    expect(off.status, await off.clone().text()).toBe(200);
    vi.restoreAllMocks();

    // Fault 2: the sealer hangs: the switch into the protective state answers while its seal is still pending.
    // It settles on its own timer, in the request's context (a promise settled from the test's
    // context would be I/O across contexts, which workerd refuses).
    const seal = { asked: 0, settled: 0 };
    vi.spyOn(env.AUDIT_SEALER, 'getByName').mockImplementation((name: string) => {
      const stub = original(name);
      const hang = () => {
        seal.asked++;
        return new Promise<void>((r) => setTimeout(() => r(void seal.settled++), 10_000));
      };
      return new Proxy(stub, { get: (t, p) => (p === 'sealSoon' ? hang : (t as unknown as Record<PropertyKey, unknown>)[p]) });
    });
    const protective = await toggle('maintenance-mode', true);
    expect(protective.status, await protective.clone().text()).toBe(200);
    expect(seal, 'the seal was asked for and is still pending when the switch answers').toEqual({ asked: 1, settled: 0 });
    vi.restoreAllMocks();

    const stored = await env.DB.prepare(
      `SELECT enabled FROM flag_configs WHERE flag_key = 'new-pdf-engine' AND environment = 'development'`,
    ).first<{ enabled: number }>();
    expect(stored?.enabled).toBe(0);
    const audited = await env.DB.prepare(
      `SELECT id FROM audit_log WHERE resource_key IN ('new-pdf-engine', 'maintenance-mode') AND reason = 'audit chain test' ORDER BY id`,
    ).all<{ id: number }>();
    expect(audited.results.length).toBe(2);

    await sealer(env).seal();
    const v = await verify();
    expect(v).toMatchObject({ ok: true, unsealed: 0 });
  });
});

describe('GET /audit/verify after tampering', () => {
  it('passes on an untouched log', async () => {
    await sealer(env).seal();
    expect((await verify()).ok).toBe(true);
  });

  it('names an entry edited in D1', async () => {
    const log = await rows();
    const target = log[Math.floor(log.length / 2)]!;
    await env.DB.prepare(`UPDATE audit_log SET reason = 'nothing to see' WHERE id = ?`).bind(target.id).run();
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ id: target.id, kind: 'edited' });
    await env.DB.prepare('UPDATE audit_log SET reason = ? WHERE id = ?').bind(target.reason, target.id).run();
    expect((await verify()).ok).toBe(true);
  });

  it('names an edit whose hash was recomputed too (the next entry no longer follows)', async () => {
    const log = await rows();
    const i = Math.floor(log.length / 3);
    const target = log[i]!;
    const forged = { ...target, reason: 'forged' };
    await env.DB.prepare(`UPDATE audit_log SET reason = 'forged', hash = ? WHERE id = ?`)
      .bind(await entryHash(target.prevHash!, forged), target.id)
      .run();
    const v = await verify();
    expect(v.problems[0]).toMatchObject({ id: log[i + 1]!.id, kind: 'deleted' });
    await env.DB.prepare('UPDATE audit_log SET reason = ?, hash = ? WHERE id = ?').bind(target.reason, target.hash, target.id).run();
    expect((await verify()).ok).toBe(true);
  });

  it('names a deleted middle entry', async () => {
    const log = await rows();
    const i = Math.floor(log.length / 2);
    const putBack = await removeRows(`id = ${log[i]!.id}`);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ id: log[i + 1]!.id, kind: 'deleted' });
    expect(v.problems[0]!.message).toContain(`entries ${log[i]!.id}–${log[i]!.id} were deleted`);
    await putBack();
    expect((await verify()).ok).toBe(true);
  });

  it('names a truncated tail: the newest sealed entries deleted leave the anchor ahead of the log', async () => {
    const log = await rows();
    const newest = log.at(-1)!;
    const putBack = await removeRows(`id > ${log.at(-3)!.id}`);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ id: newest.id, kind: 'truncated' })]);
    await putBack();
    expect((await verify()).ok).toBe(true);
  });

  it('still detects the truncation after newer writes are sealed on top of it', async () => {
    const log = await rows();
    const putBack = await removeRows(`id = ${log.at(-1)!.id}`);
    expect((await createSegment('after-truncation')).status).toBe(200);
    await sealer(env).seal();
    const v = await verify();
    expect(v.problems[0]).toMatchObject({ kind: 'deleted' });
    expect(v.problems[0]!.id).toBeGreaterThan(log.at(-1)!.id);
    await putBack();
    expect((await verify()).ok).toBe(true);
  });

  it('still names a truncation made while the sealer lost its storage: it resumes from the KV copy', async () => {
    const head = await sealer(env).seal();
    // KV takes one write a second: the copy can trail the sealer by up to a second (docs/audit.md).
    await kvCopy(head.id);
    const log = await rows();
    const putBack = await removeRows(`id > ${log.at(-3)!.id}`);
    await runInDurableObject(env.AUDIT_SEALER.getByName(SEALER_NAME), (_sealer, state) => state.storage.deleteAll());
    expect((await createSegment('after-reset')).status).toBe(200);
    const anchor = await sealer(env).seal();
    // Chained onto the anchored head from KV, not onto what D1 had left.
    expect(anchor.count).toBe(log.length + 1);
    const v = await verify();
    expect(v.problems[0]).toMatchObject({
      kind: 'deleted',
      message: expect.stringContaining(`entries ${log.at(-2)!.id}–${log.at(-1)!.id} were deleted`),
    });
    await putBack();
    expect((await verify()).ok).toBe(true);
  });

  it('stops sealing at a row forged with a hash (writes go on), and resumes once its hash is cleared', async () => {
    await sealer(env).seal();
    const forged = await env.DB.prepare(
      `INSERT INTO audit_log (actor, action, resource_type, resource_key, hash, prev_hash) VALUES ('x', 'flag.update', 'flag', 'x', ?, ?) RETURNING id`,
    )
      .bind('f'.repeat(64), GENESIS)
      .first<{ id: number }>();
    const refused = await sealer(env)
      .seal()
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(refused).toContain(`audit entry ${forged!.id} is sealed with a hash this chain does not produce`);
    expect((await createSegment('during-conflict')).status).toBe(200);
    const v = await verify();
    expect(v.problems[0]).toMatchObject({ id: forged!.id });
    expect(v.unsealed).toBe(1);
    await env.DB.prepare('UPDATE audit_log SET hash = NULL, prev_hash = NULL WHERE id = ?').bind(forged!.id).run();
    await sealer(env).seal();
    expect(await verify()).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('answers 403 to a viewer and 401 without a token', async () => {
    expect((await call('/api/v1/audit/verify')).status).toBe(401);
    const created = await call('/api/v1/admin-tokens', { method: 'POST', key: A, json: { name: 'audit viewer', role: 'viewer' } });
    const { secret } = (await created.json()) as { secret: string };
    for (const path of ['/audit/verify', '/audit/chain', '/audit/anchor'])
      expect((await call(`/api/v1${path}`, { key: secret })).status, path).toBe(403);
  });
});

describe('retention of the audit log (RETENTION_AUDIT_DAYS)', () => {
  it('prunes the oldest sealed entries through the sealer: verify starts after them, and still catches more deleted', async () => {
    await sealer(env).seal();
    const before = await rows();
    // Retention of 30 days, run at a time when the entries up to the middle are older than that.
    const middle = before[Math.floor(before.length / 2)]!;
    const cutoff = middle.at + 1;
    const pruned = before.findIndex((r) => r.at >= cutoff);
    const result = await enforceRetention({ ...env, RETENTION_AUDIT_DAYS: '30' }, cutoff + 30 * 86_400_000);
    expect(result.audit).toBe(pruned);
    const last = before[pruned - 1]!;
    const kept = await rows();
    expect(kept[0]!.id).toBe(before[pruned]!.id);
    const v = await verify();
    expect(v).toMatchObject({ ok: true, problems: [] });
    expect(v.anchor?.floor).toMatchObject({ id: last.id, hash: last.hash });

    // Deleting more of the oldest entries than retention did is still caught.
    const putBack = await removeRows(`id = ${kept[0]!.id}`);
    const tampered = await verify();
    expect(tampered.problems[0]).toMatchObject({ id: kept[1]!.id, kind: 'deleted' });
    expect(tampered.problems[0]!.message).toContain(`nor follow entry ${last.id}, the last one retention pruned`);
    await putBack();
    expect((await verify()).ok).toBe(true);
  });

  it('never prunes an entry the sealer has not sealed, and the chain goes on from the floor', async () => {
    await sealer(env).seal();
    await env.DB.prepare(
      `INSERT INTO audit_log (at, actor, action, resource_type, resource_key) VALUES (1, 'test', 'flag.update', 'flag', 'x')`,
    ).run();
    // Run long after everything: every sealed entry is old, and so is the unsealed one.
    const far = Date.now() + 400 * 86_400_000;
    for (let i = 0; i < 5 && (await enforceRetention({ ...env, RETENTION_AUDIT_DAYS: '30' }, far)).audit; i++);
    const left = await rows();
    expect(left).toEqual([expect.objectContaining({ hash: null, resourceKey: 'x' })]);
    await sealer(env).seal();
    expect(await verify()).toMatchObject({ ok: true, sealed: 1, unsealed: 0 });
  });
});
