import { readAttribute } from './attribute.ts';
import { CompileError, compileCondition, type Predicate } from './operators.ts';
import type { SegmentDefinition } from './types.ts';

const NO_SEGMENTS: ReadonlyMap<string, Predicate> = new Map();

/** Membership: excluded beats included, included beats rules, and any rule (an AND) admits. */
export function compileSegment(seg: SegmentDefinition): Predicate {
  const attribute = seg.attribute ?? 'targetingKey';
  const isKey = attribute === 'targetingKey';
  const included = new Set(seg.included ?? []);
  const excluded = new Set(seg.excluded ?? []);
  const rules = (seg.rules ?? []).map((conditions) => {
    if (conditions.some((c) => c.op === 'inSegment' || c.op === 'notInSegment')) {
      throw new CompileError(`segment "${seg.key}" cannot refer to other segments`);
    }
    const preds = conditions.map((c) => compileCondition(c, NO_SEGMENTS));
    return (ctx: Parameters<Predicate>[0]) => preds.every((p) => p(ctx));
  });
  return (ctx) => {
    const id = readAttribute(ctx, attribute, isKey);
    if (typeof id === 'string' || typeof id === 'number') {
      const s = String(id);
      if (excluded.has(s)) return false;
      if (included.has(s)) return true;
    }
    return rules.some((r) => r(ctx));
  };
}

/** Compiles every segment; a broken one is left out, so conditions naming it fail to compile. */
export function compileSegments(segments: readonly SegmentDefinition[]): {
  predicates: Map<string, Predicate>;
  errors: Map<string, string>;
} {
  const predicates = new Map<string, Predicate>();
  const errors = new Map<string, string>();
  for (const seg of segments) {
    try {
      predicates.set(seg.key, compileSegment(seg));
    } catch (e) {
      errors.set(seg.key, e instanceof Error ? e.message : String(e));
    }
  }
  return { predicates, errors };
}
