// AuditSealer: the one Durable Object (named "audit") that seals the audit log's hash chain
// (docs/audit.md). Writes insert their audit rows unsealed, inside their own D1 batch as before;
// after the answer they ask the sealer (`sealSoon`), and the cron asks every minute. A seal pass
// hashes the rows after its head strictly in id order, writes hash/prev_hash, and then moves
// the anchor — the head kept in this object's storage and copied to KV — which lives outside D1,
// so deleting the newest sealed rows leaves the anchor ahead of the log: a truncation verify sees.
//
//   const head = await env.AUDIT_SEALER.getByName(SEALER_NAME).seal();

import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { type ChainAnchor, type ChainEntry, EMPTY_ANCHOR, entryHash } from './chain.ts';

export const SEALER_NAME = 'audit';
/** KV key (SNAPSHOTS namespace) of the anchor's copy. */
export const ANCHOR_KV_KEY = 'audit:head';
/** Rows read and sealed per D1 batch, and batches per pass (a backlog drains over passes). */
const PAGE = 100;
const MAX_PAGES = 50;
/** How long after a write its seal pass runs: writes of the same moment share one pass. */
export const SEAL_DELAY_MS = 200;
/** KV accepts one write per second to a key. */
const KV_COPY_INTERVAL_MS = 1000;
/** Entries one prune deletes at most (retention drains a backlog over cron runs). */
export const PRUNE_ROWS = 1000;

export const CHAIN_COLUMNS = `id, at, actor, action, resource_type AS resourceType, resource_key AS resourceKey, environment,
  before, after, reason, hash, prev_hash AS prevHash`;

/** Thrown when a row is already sealed with a hash this chain does not produce: someone else's chain, or tampering. */
export class ChainConflict extends Error {
  override name = 'ChainConflict';
}

export class AuditSealer extends DurableObject<Env> {
  /** The pass callers join: queued behind the running one, so it reads rows committed before they asked. */
  #queued: Promise<ChainAnchor> | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  /** The anchor changed since it was last copied to KV (true after a restart: copy once). */
  #kvDirty = true;
  #kvCopiedAt = 0;

  /**
   * After a write: seal within SEAL_DELAY_MS, in one pass for every write of that moment (an
   * alarm), instead of one pass per write competing with the writes for D1.
   */
  async sealSoon(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SEAL_DELAY_MS);
  }

  override async alarm(): Promise<void> {
    try {
      await this.seal();
      await this.#copyToKv();
    } catch (e) {
      console.warn('audit seal failed; the next write or the cron retries', e);
    }
  }

  /** Seals every entry committed before this call (up to MAX_PAGES × PAGE per pass) and answers the anchor. */
  seal(): Promise<ChainAnchor> {
    if (!this.#queued) {
      const pass = this.#tail
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return this.#pass();
        });
      this.#queued = pass;
      this.#tail = pass;
    }
    return this.#queued;
  }

  /**
   * Retention: deletes the oldest sealed entries written before `cutoffAt` (a prefix by id, at
   * most PRUNE_ROWS per call) and records the newest one deleted as the anchor's floor, so verify
   * accepts the log starting after it, and only after it. Runs in line with seal passes; never
   * deletes an entry that is not sealed yet.
   */
  prune(cutoffAt: number): Promise<number> {
    const run = this.#tail.catch(() => undefined).then(() => this.#prune(cutoffAt));
    this.#tail = run;
    return run;
  }

  async #prune(cutoffAt: number): Promise<number> {
    const head = await this.ctx.storage.get<ChainAnchor>('head');
    if (!head) return 0;
    // The prefix of entries all older than the cutoff and sealed: the first entry that is not ends it.
    const last = await this.env.DB.prepare(
      `SELECT id, hash FROM audit_log WHERE id < coalesce((SELECT min(id) FROM audit_log WHERE at >= ?1 OR id > ?2), ?2 + 1)
       AND id < (SELECT min(id) FROM audit_log) + ?3 ORDER BY id DESC LIMIT 1`,
    )
      .bind(cutoffAt, head.id, PRUNE_ROWS)
      .first<{ id: number; hash: string | null }>();
    if (!last?.hash) return 0;
    const deleted = await this.env.DB.prepare('DELETE FROM audit_log WHERE id <= ?').bind(last.id).run();
    // After the delete: a crash in between reads as deleted entries until the next prune, never hides one.
    const current = (await this.ctx.storage.get<ChainAnchor>('head')) ?? head;
    const next = { ...current, floor: { id: last.id, hash: last.hash } };
    await this.ctx.storage.put('head', next);
    this.#kvDirty = true;
    await this.#copyToKv();
    return deleted.meta.changes;
  }

  /**
   * The anchor's copy in KV, which takes one write per second per key: a change within a second
   * of the last copy is copied by an alarm at the end of that second (a failed copy stays dirty).
   */
  async #copyToKv(): Promise<void> {
    if (!this.#kvDirty) return;
    const wait = this.#kvCopiedAt + KV_COPY_INTERVAL_MS - Date.now();
    if (wait > 0) {
      const alarm = await this.ctx.storage.getAlarm();
      if (alarm === null || alarm > Date.now() + wait) await this.ctx.storage.setAlarm(Date.now() + wait);
      return;
    }
    const head = await this.ctx.storage.get<ChainAnchor>('head');
    if (!head) return;
    this.#kvDirty = false;
    this.#kvCopiedAt = Date.now();
    try {
      await this.env.SNAPSHOTS.put(ANCHOR_KV_KEY, JSON.stringify(head));
    } catch (e) {
      this.#kvDirty = true;
      throw e;
    }
  }

  /** The anchored head, as stored here (never recomputed from D1). */
  async anchor(): Promise<ChainAnchor | null> {
    return (await this.ctx.storage.get<ChainAnchor>('head')) ?? null;
  }

  async #pass(): Promise<ChainAnchor> {
    // Storage lost (never written, or reset): resume from KV's copy rather than from nothing, so
    // entries deleted in the meantime still break the chain instead of being re-adopted away.
    const stored = await this.ctx.storage.get<ChainAnchor>('head');
    const start = stored ?? (await this.env.SNAPSHOTS.get<ChainAnchor>(ANCHOR_KV_KEY, 'json')) ?? EMPTY_ANCHOR;
    if (!stored && start !== EMPTY_ANCHOR) await this.ctx.storage.put('head', start);
    let head = start;
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = (
        await this.env.DB.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`)
          .bind(head.id, PAGE)
          .all<ChainEntry>()
      ).results;
      if (rows.length === 0) break;
      const updates: D1PreparedStatement[] = [];
      let next = head;
      for (const row of rows) {
        const hash = await entryHash(next.hash, row);
        if (row.hash !== null) {
          // Sealed by an earlier pass whose anchor write was lost: adopt it if it is this chain.
          if (row.hash !== hash || row.prevHash !== next.hash)
            throw new ChainConflict(
              `audit entry ${row.id} is sealed with a hash this chain does not produce; sealing stops until it is resolved`,
            );
        } else {
          // `hash IS NULL`: a row is sealed once; a second sealer (never meant to exist) cannot fork it.
          updates.push(
            this.env.DB.prepare('UPDATE audit_log SET hash = ?, prev_hash = ? WHERE id = ? AND hash IS NULL').bind(hash, next.hash, row.id),
          );
        }
        next = { ...next, id: row.id, hash, count: next.count + 1, sealedAt: Date.now() };
      }
      if (updates.length) {
        const results = await this.env.DB.batch(updates);
        // A row sealed in between: the next pass re-reads and adopts or refuses it.
        if (results.some((r) => r.meta.changes !== 1))
          throw new ChainConflict('an audit entry was sealed by someone else during this pass');
      }
      // D1 first, then the anchor: a crash in between leaves sealed rows the next pass adopts,
      // never an anchor ahead of the log (which would read as a truncation).
      await this.ctx.storage.put('head', next);
      head = next;
      if (rows.length < PAGE) break;
    }
    if (head !== start) this.#kvDirty = true;
    await this.#copyToKv();
    return head;
  }
}
