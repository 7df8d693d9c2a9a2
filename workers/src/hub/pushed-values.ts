// Refetch storms (docs/scale.md §2): every browser re-POSTs /sdk/v1/evaluate when told a flag
// changed, so one kill switch to a million browsers would be a million requests at once. When
// the change leaves each changed flag with one answer for everyone (switched off, or on with
// one variant for all and no targeting), the push itself carries those answers and browsers
// apply them without asking. Any other change is announced as before, and browsers refetch
// within a jittered window (sdk/browser).
import { compileSnapshot, type FlagDefinition, type Snapshot, toWireResult, type WireResult } from '@edgeflags/core';

/** One publish is sent to every browser of a shard: computed once per (snapshot, changed). */
let memo: { snapshot: string; changed: string; values: Record<string, WireResult> | undefined } | undefined;

/**
 * The answer of each changed flag when all of them are client-visible and the same for every
 * context; `undefined` when any is not (or the change is unknown, or the snapshot unreadable):
 * then browsers must refetch. A server-only, hidden or deleted flag among the changes also
 * means `undefined`, since a browser may hold that flag and only a refetch drops it.
 */
export function uniformValues(snapshot: string, changed: readonly string[] | undefined): Record<string, WireResult> | undefined {
  if (!changed || changed.length === 0) return undefined;
  const key = changed.join('\n');
  if (memo?.snapshot === snapshot && memo.changed === key) return memo.values;
  memo = { snapshot, changed: key, values: compute(snapshot, changed) };
  return memo.values;
}

function compute(snapshot: string, changed: readonly string[]): Record<string, WireResult> | undefined {
  let parsed: Snapshot;
  try {
    parsed = JSON.parse(snapshot) as Snapshot;
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed?.flags)) return undefined;
  const byKey = new Map<string, FlagDefinition>(parsed.flags.map((f) => [f.key, f]));
  const defs: FlagDefinition[] = [];
  for (const key of changed) {
    const def = byKey.get(key);
    if (def?.clientVisible !== true) return undefined;
    defs.push(def);
  }
  // Only the changed flags are compiled: a constant answer depends on nothing else (no rules,
  // segments or prerequisites), and anything that does is not constant.
  const compiled = compileSnapshot({ ...parsed, flags: defs, segments: [] }, { eager: true });
  const values: Record<string, WireResult> = {};
  for (const def of defs) {
    const constant = compiled.flag(def.key)?.constant;
    if (!constant || constant.reason === 'ERROR') return undefined;
    values[def.key] = toWireResult(constant);
  }
  return values;
}
