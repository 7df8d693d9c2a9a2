import { countsForRelease, type EvaluationContext, type FlagSnapshot, murmur3, toWireResult, type WireResult } from '@edgeflags/core';

/** What bulk evaluation needs of a cached snapshot (kept structural so benchmarks run it in Node). */
export interface EvaluableSnapshot {
  version: number;
  readonly compiled: FlagSnapshot;
}

const clientVisible = (f: { clientVisible: boolean }) => f.clientVisible;

/** Evaluated values only: a client key sees client-visible flags, never rules or targets. */
export function evaluateForKey(snap: EvaluableSnapshot, kind: 'server' | 'client', context: EvaluationContext): Record<string, WireResult> {
  const results = snap.compiled.evaluateAll(context, kind === 'client' ? clientVisible : undefined);
  const out: Record<string, WireResult> = {};
  for (const key in results) out[key] = toWireResult(results[key]!);
  return out;
}

/**
 * Flags of the answer under a live release plan whose outcome for this context counts in the
 * release's comparison (served by the default rule: countsForRelease), so a browser knows which
 * outcomes to record; a client key's answer names only client-visible ones, as it holds only those.
 */
export function trackedForKey(snap: EvaluableSnapshot, kind: 'server' | 'client', context: EvaluationContext): string[] {
  const { tracked } = snap.compiled;
  return tracked.filter(
    (key) =>
      (kind === 'server' || snap.compiled.flag(key)?.clientVisible === true) && countsForRelease(snap.compiled.evaluate(key, context)),
  );
}

/**
 * Same snapshot, same switches applied, same key kind, same context: same answer, so a 304 is
 * safe. A scheduled switch changes answers without a new version, so its instant is in the tag.
 */
export function evaluationEtag(snap: EvaluableSnapshot, kind: string, context: EvaluationContext): string {
  const phase = snap.compiled.switchPhase;
  const version = phase === 0 ? `${snap.version}` : `${snap.version}.${phase.toString(36)}`;
  return `W/"${version}-${kind[0]}-${murmur3(JSON.stringify(context)).toString(36)}"`;
}
