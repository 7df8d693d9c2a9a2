import type { Snapshot } from '@edgeflags/core';
import { ApiError } from '../errors.ts';

/**
 * The largest compiled snapshot (UTF-8 bytes of its JSON) a write may produce, checked before
 * anything is saved. Cloudflare's documented production limits it has to live with:
 * - a SQLite-backed Durable Object refuses a key + value over 2 MB (SQLITE_TOOBIG), and the hub
 *   keeps the snapshot in storage (developers.cloudflare.com/durable-objects/platform/limits/);
 * - a D1 string, BLOB or row is capped at 2,000,000 bytes (developers.cloudflare.com/d1/platform/limits/);
 * - a Workers KV value is capped at 25 MiB (developers.cloudflare.com/kv/platform/limits/).
 * The local runtime enforces none of these at this size, so the limit is ours. 1 MB is half the
 * 2 MB value cap and 1/25 of KV's: every server SDK push carries the whole snapshot and every
 * isolate parses and compiles it, so it is kept small on purpose. The hub stores its copy in
 * chunks of at most 1 MiB (hub/snapshot-store.ts), so an environment saved before this limit
 * existed, larger than 2 MB, is still stored and served (up to KV's 25 MiB) instead of wedging.
 */
export const MAX_SNAPSHOT_BYTES = 1_000_000;

/** What turning a switch off adds ("true" → "false"): a kill switch is never refused for size. */
const SWITCH_GROWTH_BYTES = 1;

/** UTF-8 length without allocating the encoded copy (a snapshot can be a megabyte). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export const snapshotBytes = (snapshot: Snapshot): number => utf8Length(JSON.stringify(snapshot));

/**
 * Refuses a write whose snapshot would be over the limit, unless it does not grow it: an
 * environment stored before the limit existed can still shrink, archive, and switch off.
 */
export function assertSnapshotFits(current: Snapshot, next: Snapshot): void {
  const size = snapshotBytes(next);
  if (size <= MAX_SNAPSHOT_BYTES) return;
  if (size - snapshotBytes(current) <= SWITCH_GROWTH_BYTES) return;
  throw new ApiError(
    413,
    'snapshot_too_large',
    `the snapshot of "${next.environment}" would be ${size.toLocaleString('en-US')} bytes; the limit is ${MAX_SNAPSHOT_BYTES.toLocaleString('en-US')} bytes (docs/delivery.md): move long lists into fewer segments or remove unused targets`,
    { limitBytes: MAX_SNAPSHOT_BYTES, sizeBytes: size },
  );
}
