import { MAX_PREREQUISITE_FLAGS } from './limits.ts';
import type { FlagDefinition } from './types.ts';

export interface PrerequisiteReach {
  /** Edges from the flag to its farthest prerequisite (0 without prerequisites). */
  depth: number;
  /** Distinct flags reachable through its prerequisites, counted up to MAX_PREREQUISITE_FLAGS + 1. */
  flags: number;
}

/**
 * How far and how wide each flag's prerequisites reach: what one evaluation of it may have to
 * evaluate. Flags on a cycle are skipped (the cycle is its own error). Reachable sets stop
 * growing one past the limit, so a 10,000-flag snapshot costs O(flags × limit), not O(flags²).
 */
export function prerequisiteReach(flags: readonly FlagDefinition[]): Map<string, PrerequisiteReach> {
  const edges = new Map(flags.map((f) => [f.key, (f.prerequisites ?? []).map((p) => p.flag)]));
  const reach = new Map<string, PrerequisiteReach>();
  const reachable = new Map<string, Set<string>>();
  const open = new Set<string>();
  const visit = (key: string): void => {
    if (reach.has(key) || open.has(key)) return;
    open.add(key);
    let depth = 0;
    const set = new Set<string>();
    for (const next of edges.get(key) ?? []) {
      if (!edges.has(next)) continue;
      visit(next);
      const below = reach.get(next);
      if (!below) continue;
      depth = Math.max(depth, below.depth + 1);
      set.add(next);
      for (const k of reachable.get(next)!) {
        if (set.size > MAX_PREREQUISITE_FLAGS) break;
        set.add(k);
      }
    }
    open.delete(key);
    reachable.set(key, set);
    reach.set(key, { depth, flags: set.size });
  };
  for (const key of edges.keys()) visit(key);
  return reach;
}
