import type { OutcomeSummary, Snapshot } from '@edgeflags/core';

/** What this needs of a cached snapshot (structural, so the bench runs it in Node): its JSON, one object per version. */
export interface SnapshotText {
  readonly json: string;
}

interface TrackedFlag {
  variants: ReadonlySet<string>;
  clientVisible: boolean;
}

/** The snapshot's tracked flags (under a live plan) and their variants, once per version an isolate holds. */
const index = new WeakMap<SnapshotText, ReadonlyMap<string, TrackedFlag>>();

export function trackedFlags(snap: SnapshotText): ReadonlyMap<string, TrackedFlag> {
  let tracked = index.get(snap);
  if (!tracked) {
    const { flags, tracked: keys = [] } = JSON.parse(snap.json) as Snapshot;
    const live = new Set(keys);
    tracked = new Map(
      flags
        .filter((f) => live.has(f.key))
        .map((f) => [f.key, { variants: new Set(Object.keys(f.variants)), clientVisible: f.clientVisible === true }]),
    );
    index.set(snap, tracked);
  }
  return tracked;
}

/**
 * Keeps the summaries the snapshot could have produced: a flag under a live plan (client-visible,
 * for the public client key, which never evaluates any other) and one of its variants. The rest is
 * dropped before the queue — an SDK on an older snapshot sends a few, a forger sends many, and
 * neither may grow a conductor's state.
 */
export function admissibleSummaries(snap: SnapshotText, kind: 'server' | 'client', summaries: readonly OutcomeSummary[]): OutcomeSummary[] {
  const tracked = trackedFlags(snap);
  return summaries.filter((s) => {
    const flag = tracked.get(s.flag);
    if (!flag || (kind === 'client' && !flag.clientVisible)) return false;
    return flag.variants.has(s.variant);
  });
}
