import type { Snapshot } from '@edgeflags/core';
import type { CachedSnapshot } from '../snapshot/edge-cache.ts';
import type { Exposure, SourceKind } from './events-schema.ts';

interface FlagFacts {
  variants: ReadonlySet<string>;
  clientVisible: boolean;
}

/** Variant names per flag, built once per snapshot version an isolate holds. */
const facts = new WeakMap<CachedSnapshot, Map<string, FlagFacts>>();

function flagFacts(snap: CachedSnapshot): Map<string, FlagFacts> {
  let index = facts.get(snap);
  if (!index) {
    const { flags } = JSON.parse(snap.json) as Snapshot;
    index = new Map(flags.map((f) => [f.key, { variants: new Set(Object.keys(f.variants)), clientVisible: f.clientVisible === true }]));
    facts.set(snap, index);
  }
  return index;
}

/**
 * Keeps the exposures the snapshot could have produced: a flag it holds (client-visible, for the
 * public client key, which never evaluates any other), one of that flag's variants (or none: the
 * SDK served its fallback), and each (context, flag, variant) once per request, since SDKs send
 * an exposure once. Anything else is invented — 2,000 variant names once came from ten requests —
 * and is dropped here, before the queue.
 */
export function knownExposures(snap: CachedSnapshot, kind: SourceKind, events: readonly Exposure[]): Exposure[] {
  const index = flagFacts(snap);
  const once = new Set<string>();
  return events.filter((e) => {
    const flag = index.get(e.flag);
    if (!flag || (kind === 'client' && !flag.clientVisible)) return false;
    if (e.variant !== undefined && !flag.variants.has(e.variant)) return false;
    const id = JSON.stringify([e.contextKey, e.flag, e.variant ?? null]);
    if (once.has(id)) return false;
    once.add(id);
    return true;
  });
}
