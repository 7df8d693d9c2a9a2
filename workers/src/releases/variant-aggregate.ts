import { LatencySketch, type OutcomeSummary, SKETCH_MAX_BUCKETS, type SketchData } from '@edgeflags/core';
import type { VariantAggregate } from './types.ts';

/** Plain-data arithmetic on VariantAggregate, so windows serialize to storage as they are held. */

export const emptyAggregate = (): VariantAggregate => ({ count: 0, errors: 0, latency: null, events: {} });

/** Adds `from` (an aggregate or a wire summary) into `into`, in place. Sketches merge exactly. */
export function addInto(into: VariantAggregate, from: VariantAggregate | OutcomeSummary): void {
  into.count += from.count;
  into.errors += from.errors;
  if (from.latency && from.latency.n > 0) into.latency = into.latency ? mergeSketch(into.latency, from.latency) : copySketch(from.latency);
  for (const [name, e] of Object.entries(from.events ?? {})) {
    const held = Object.hasOwn(into.events, name) ? into.events[name] : undefined;
    if (held) {
      held.count += e.count;
      held.sum += e.sum;
    } else into.events[name] = { count: e.count, sum: e.sum };
  }
}

export function sumOf(...parts: VariantAggregate[]): VariantAggregate {
  const out = emptyAggregate();
  for (const p of parts) addInto(out, p);
  return out;
}

/**
 * `a` scaled by w ∈ [0, 1]: what a capped caller still contributes. Counts stay integers (the
 * statistics are binomial), errors keep their rate, and the sketch keeps its shape.
 */
export function scaled(a: VariantAggregate, w: number): VariantAggregate {
  if (w >= 1) return sumOf(a);
  const count = Math.floor(a.count * w);
  const errors = Math.min(count, Math.round(a.errors * w));
  const events: VariantAggregate['events'] = {};
  for (const [name, e] of Object.entries(a.events)) events[name] = { count: Math.floor(e.count * w), sum: e.sum * w };
  return { count, errors, latency: a.latency ? scaleSketch(a.latency, w) : null, events };
}

function copySketch(s: SketchData): SketchData {
  return { a: s.a, b: { ...s.b }, z: s.z, n: s.n, s: s.s };
}

/** Bucket-wise sum; sketches of another accuracy are skipped (the edge only admits one). */
function mergeSketch(into: SketchData, from: SketchData): SketchData {
  if (into.a !== from.a) return into;
  for (const [i, c] of Object.entries(from.b)) into.b[i] = (into.b[i] ?? 0) + c;
  into.z += from.z;
  into.n += from.n;
  into.s += from.s;
  if (Object.keys(into.b).length > SKETCH_MAX_BUCKETS) return LatencySketch.from(into).toJSON();
  return into;
}

function scaleSketch(s: SketchData, w: number): SketchData | null {
  const b: Record<string, number> = {};
  let n = Math.floor(s.z * w);
  const z = n;
  for (const [i, c] of Object.entries(s.b)) {
    const k = Math.floor(c * w);
    if (k > 0) {
      b[i] = k;
      n += k;
    }
  }
  return n > 0 ? { a: s.a, b, z, n, s: s.s * w } : null;
}
