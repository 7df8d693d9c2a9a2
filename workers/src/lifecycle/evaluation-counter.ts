import type { FlagSnapshot } from '@edgeflags/core';
import type { Env } from '../env.ts';
import { DAY_MS } from './lifecycle-policy.ts';

/** How often an isolate writes its counts to D1 at most (EVALUATION_FLUSH_MS overrides). */
export const DEFAULT_FLUSH_MS = 5_000;
/** Rows per D1 batch, and flag keys an isolate holds at most before it flushes anyway. */
const MAX_ROWS_PER_FLUSH = 500;

/**
 * Evaluations answered by this isolate since its last flush. A bulk evaluation counts once per
 * request against the list of keys it evaluated (`bulk`: O(1) on the hot path, expanded at
 * flush); a single OFREP evaluation counts its key. Both are keyed by environment.
 */
interface Pending {
  day: number;
  bulk: Map<string, Map<readonly string[], number>>;
  single: Map<string, Map<string, number>>;
  lastAt: number;
  keys: number;
}

let pending: Pending = empty(0);
let lastFlush = 0;

function empty(day: number): Pending {
  return { day, bulk: new Map(), single: new Map(), lastAt: 0, keys: 0 };
}

/** The `waitUntil` of the request being answered: flushes ride on it, never on the response. */
export interface Waiter {
  waitUntil(p: Promise<unknown>): void;
}

/**
 * Counts one bulk evaluation of `keys` (the same array for every request on one snapshot and key
 * kind, so this is a map lookup and an increment). Writes to D1 at most every few seconds, from
 * `waitUntil`: the request never waits on D1.
 */
export function countBulk(env: Env, ctx: Waiter, environment: string, keys: readonly string[], now = Date.now()): void {
  const p = current(env, ctx, now);
  const byList = entry(p.bulk, environment, () => new Map<readonly string[], number>());
  byList.set(keys, (byList.get(keys) ?? 0) + 1);
  p.lastAt = now;
  maybeFlush(env, ctx, now);
}

/** Counts one evaluation of one flag (OFREP's single-flag route). */
export function countOne(env: Env, ctx: Waiter, environment: string, key: string, now = Date.now()): void {
  const p = current(env, ctx, now);
  const byKey = entry(p.single, environment, () => new Map<string, number>());
  const n = byKey.get(key);
  if (n === undefined) p.keys++;
  byKey.set(key, (n ?? 0) + 1);
  p.lastAt = now;
  maybeFlush(env, ctx, now);
}

/** A new UTC day starts a new row: what was counted before midnight is flushed under its own day. */
function current(env: Env, ctx: Waiter, now: number): Pending {
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  if (pending.day !== day) {
    if (pending.lastAt > 0) ctx.waitUntil(flushPending(env));
    pending = empty(day);
  }
  return pending;
}

function maybeFlush(env: Env, ctx: Waiter, now: number): void {
  const every = Number(env.EVALUATION_FLUSH_MS ?? DEFAULT_FLUSH_MS);
  if (now - lastFlush < every && pending.keys < MAX_ROWS_PER_FLUSH) return;
  lastFlush = now;
  ctx.waitUntil(flushPending(env));
}

/**
 * Writes what this isolate counted (also run by the cron, so an idle isolate's counts land). A
 * failed write is dropped, not retried: counts are evidence of use, and a lower bound is enough
 * to tell "evaluated this month" from "not evaluated for 30 days".
 */
export async function flushPending(env: Pick<Env, 'DB'>): Promise<void> {
  const p = pending;
  if (p.lastAt === 0) return;
  pending = empty(p.day);
  const counts = new Map<string, Map<string, number>>();
  const add = (environment: string, key: string, n: number) => {
    const byKey = entry(counts, environment, () => new Map<string, number>());
    byKey.set(key, (byKey.get(key) ?? 0) + n);
  };
  for (const [environment, lists] of p.bulk) for (const [keys, n] of lists) for (const key of keys) add(environment, key, n);
  for (const [environment, byKey] of p.single) for (const [key, n] of byKey) add(environment, key, n);
  try {
    // One statement per environment and chunk of keys (json_each), not one per flag.
    const stmts: D1PreparedStatement[] = [];
    for (const [environment, byKey] of counts) {
      const entries = [...byKey];
      for (let i = 0; i < entries.length; i += MAX_ROWS_PER_FLUSH)
        stmts.push(
          env.DB.prepare(
            `INSERT INTO flag_evaluations (environment, flag_key, day, count, last_at)
             SELECT ?1, j.key, ?2, j.value, ?3 FROM json_each(?4) AS j WHERE true
             ON CONFLICT (environment, flag_key, day) DO UPDATE SET count = count + excluded.count, last_at = max(last_at, excluded.last_at)`,
          ).bind(environment, p.day, p.lastAt, JSON.stringify(Object.fromEntries(entries.slice(i, i + MAX_ROWS_PER_FLUSH)))),
        );
    }
    if (stmts.length) await env.DB.batch(stmts);
  } catch (e) {
    console.warn('evaluation counts not written', e);
  }
}

const clientKeys = new WeakMap<FlagSnapshot, readonly string[]>();

/** The keys a bulk evaluation answers for a key kind: one array per snapshot, so counting is O(1). */
export function evaluatedKeys(snap: FlagSnapshot, kind: 'server' | 'client'): readonly string[] {
  if (kind === 'server') return snap.keys;
  const cached = clientKeys.get(snap);
  if (cached) return cached;
  const keys = snap.keys.filter((k) => snap.flag(k)?.clientVisible === true);
  clientKeys.set(snap, keys);
  return keys;
}

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
