import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { Snapshot } from '@edgeflags/core';

/** What is written to the snapshot file: the wire snapshot plus the ETag it was served with. */
export interface PersistedSnapshot {
  etag?: string;
  snapshot: Snapshot;
}

/**
 * Reads the last known good snapshot. Synchronous on purpose: it runs once at start-up, so the
 * very first evaluation after a restart already has rules even if the edge is unreachable.
 * Accepts either `{ etag, snapshot }` (what we write) or a bare snapshot (e.g. a download of
 * `GET /sdk/v1/snapshot` committed for offline mode).
 */
export function readSnapshotFile(path: string): PersistedSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const value = JSON.parse(text) as unknown;
  if (isSnapshot(value)) return { snapshot: value };
  const wrapped = value as Partial<PersistedSnapshot> | null;
  if (wrapped && isSnapshot(wrapped.snapshot))
    return { snapshot: wrapped.snapshot, etag: typeof wrapped.etag === 'string' ? wrapped.etag : undefined };
  throw new Error(`${path} holds neither a snapshot nor { etag, snapshot }`);
}

/**
 * Writes through a temporary file and a rename, so a crash mid-write leaves the previous good
 * snapshot rather than half a file. `json` is the snapshot text as received: not re-serialised.
 */
export async function writeSnapshotFile(path: string, json: string, etag: string | undefined): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `{"etag":${JSON.stringify(etag ?? null)},"snapshot":${json}}\n`);
  await rename(tmp, path);
}

export function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Snapshot>;
  return typeof s.environment === 'string' && typeof s.version === 'number' && Array.isArray(s.flags);
}
