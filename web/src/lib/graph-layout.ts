import type { GraphEdge, GraphNode } from '../api/governance-types.ts';

export interface Placed extends GraphNode {
  layer: number;
  row: number;
}

/**
 * Layers for a left-to-right drawing: what depends on nothing (segments, base flags) in layer 0,
 * each dependent one layer right of the furthest thing it depends on, so every edge points left.
 * Prerequisite cycles are refused by the Worker; a visited set still keeps a bad answer finite.
 */
export function layout(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Placed[] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const layer = new Map<string, number>();
  const depth = (id: string, seen: Set<string>): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const d = Math.max(-1, ...(out.get(id) ?? []).map((t) => depth(t, seen))) + 1;
    layer.set(id, d);
    return d;
  };
  const rows = new Map<number, number>();
  return [...nodes]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((n) => {
      const l = depth(n.id, new Set());
      const row = rows.get(l) ?? 0;
      rows.set(l, row + 1);
      return { ...n, layer: l, row };
    });
}

/** Everything that stops `id` from going, directly or through what depends on it, in breadth order. */
export function dependentsOf(id: string, edges: readonly GraphEdge[]): string[] {
  const found: string[] = [];
  const queue = [id];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const e of edges)
      if (e.to === current && e.from !== id && !found.includes(e.from)) {
        found.push(e.from);
        queue.push(e.from);
      }
  }
  return found;
}
