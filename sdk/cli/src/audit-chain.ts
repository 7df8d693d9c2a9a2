/**
 * The audit log's hash chain, recomputed by `edgeflags audit verify` on this machine, so the
 * verdict does not rest on the Worker's own. A copy of workers/src/audit/chain.ts (the CLI carries
 * no Worker code); audit-cli.test checks that both compute the same hashes. docs/audit.md.
 */

/** The prev_hash of the first entry ever sealed. */
export const GENESIS = '0'.repeat(64);

/** An audit row exactly as stored: `before`/`after` are the stored JSON text, not parsed values. */
export interface ChainEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  environment: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
  hash: string | null;
  prevHash: string | null;
}

/** The chain head the sealer anchors outside D1 (its own storage, and KV's `audit:head`). */
export interface ChainAnchor {
  /** The newest sealed entry's id and hash (0 and GENESIS before the first). */
  id: number;
  hash: string;
  /** Entries sealed since the first. */
  count: number;
  /** Epoch ms of the seal that moved the head here. */
  sealedAt: number;
  /**
   * The newest entry retention pruned (AuditSealer.prune), or absent: the oldest entry kept must
   * follow it, so deleting more of the oldest entries than retention did is still detected.
   */
  floor?: { id: number; hash: string } | null;
}

export const EMPTY_ANCHOR: ChainAnchor = { id: 0, hash: GENESIS, count: 0, sealedAt: 0 };

/**
 * The canonical encoding: a JSON array of the stored fields in a fixed order. The stored JSON text
 * of before/after is hashed as text, so no re-serialization (key order, number formatting) can
 * change a hash; the id is included, so moving an entry to another id is an edit.
 */
export const canonical = (e: ChainEntry): string =>
  JSON.stringify([e.id, e.at, e.actor, e.action, e.resourceType, e.resourceKey, e.environment, e.before, e.after, e.reason]);

const encoder = new TextEncoder();

export async function entryHash(prevHash: string, e: ChainEntry): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(prevHash + canonical(e)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export type ProblemKind = 'edited' | 'deleted' | 'truncated' | 'unsealed-gap';

export interface ChainProblem {
  /** The entry where the problem shows (for truncation: the anchored id that is missing). */
  id: number;
  kind: ProblemKind;
  message: string;
}

const MAX_PROBLEMS = 20;

/**
 * Checks entries (ascending by id, as many pages as the log has) against each other and the
 * anchor. Feed pages in order with `add`, then `finish`. Entries not sealed yet (hash null) are
 * the newest ones, inside the seal window; a sealed entry after an unsealed one is a problem.
 */
export class ChainVerifier {
  readonly problems: ChainProblem[] = [];
  entries = 0;
  sealed = 0;
  unsealed = 0;
  #last: { id: number; hash: string } | undefined;
  #firstUnsealed: number | undefined;
  #anchorSeen = false;

  readonly anchor: ChainAnchor | null;

  // A plain assignment, not a parameter property: Node runs the CLI's TypeScript by stripping types.
  constructor(anchor: ChainAnchor | null) {
    this.anchor = anchor;
  }

  #problem(p: ChainProblem) {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
  }

  async add(page: readonly ChainEntry[]): Promise<void> {
    for (const e of page) {
      this.entries++;
      if (e.hash === null) {
        this.unsealed++;
        this.#firstUnsealed ??= e.id;
        continue;
      }
      if (this.#firstUnsealed !== undefined)
        this.#problem({
          id: e.id,
          kind: 'unsealed-gap',
          message: `entry ${e.id} is sealed but entry ${this.#firstUnsealed} before it is not`,
        });
      this.sealed++;
      const last = this.#last;
      // The oldest entry kept starts the chain, or follows the last one retention pruned.
      const floor = this.anchor?.floor;
      const expectedPrev = last?.hash ?? (floor && e.prevHash === floor.hash && e.id > floor.id ? floor.hash : GENESIS);
      if (e.prevHash !== expectedPrev) {
        this.#problem({
          id: e.id,
          kind: 'deleted',
          message: last
            ? `entry ${e.id} does not follow entry ${last.id}: ${e.id - last.id > 1 ? `entries ${last.id + 1}–${e.id - 1} were deleted` : `entry ${last.id}'s hash was rewritten or an entry between them was deleted`}`
            : `entry ${e.id}, the oldest left, does not start the chain${floor ? ` nor follow entry ${floor.id}, the last one retention pruned` : ''}: older entries were deleted`,
        });
      }
      if ((await entryHash(e.prevHash ?? '', e)) !== e.hash)
        this.#problem({ id: e.id, kind: 'edited', message: `entry ${e.id} was edited: its content no longer matches its hash` });
      if (this.anchor && e.id === this.anchor.id) {
        this.#anchorSeen = true;
        if (e.hash !== this.anchor.hash)
          this.#problem({ id: e.id, kind: 'edited', message: `entry ${e.id}'s hash differs from the anchored chain head` });
      }
      this.#last = { id: e.id, hash: e.hash };
    }
  }

  finish(): { ok: boolean; problems: ChainProblem[]; head: { id: number; hash: string } | null } {
    const a = this.anchor;
    if (a && a.id > 0 && !this.#anchorSeen) {
      const newest = this.#last?.id ?? 0;
      this.#problem(
        a.id > newest
          ? {
              id: a.id,
              kind: 'truncated',
              message: `the anchored head is entry ${a.id} but the newest sealed entry is ${newest || 'none'}: the newest entries were deleted`,
            }
          : { id: a.id, kind: 'deleted', message: `entry ${a.id}, the anchored chain head, was deleted` },
      );
    }
    this.problems.sort((x, y) => x.id - y.id);
    return { ok: this.problems.length === 0, problems: this.problems, head: this.#last ?? null };
  }
}
