import { readBucketValue } from './attribute.ts';
import { BUCKET_COUNT, bucketOf, weightToBuckets } from './bucket.ts';
import { CompileError } from './operators.ts';
import { deepFreeze, errorResult } from './result.ts';
import type { EvaluationContext, EvaluationResult, JsonValue, Reason, Serve } from './types.ts';

export type Outcome = (ctx: EvaluationContext) => EvaluationResult;

export interface ServeScope {
  key: string;
  variants: Record<string, JsonValue>;
  seed: number;
  bucketBy: string;
}

type Extra = Pick<EvaluationResult, 'ruleIndex' | 'ruleId' | 'targetIndex' | 'prerequisite'>;

/** A frozen result for one variant: every non-error outcome is built once, at compile time. */
export function fixedResult(scope: ServeScope, variant: string, reason: Reason, extra?: Extra): EvaluationResult {
  if (!Object.hasOwn(scope.variants, variant)) throw new CompileError(`unknown variant "${variant}"`);
  // The value is deep-frozen once per flag (freezeValues); the result itself only needs a shallow freeze.
  const result: EvaluationResult = { key: scope.key, value: scope.variants[variant]!, variant, reason };
  if (extra !== undefined) {
    if (extra.ruleIndex !== undefined) result.ruleIndex = extra.ruleIndex;
    if (extra.ruleId !== undefined) result.ruleId = extra.ruleId;
    if (extra.targetIndex !== undefined) result.targetIndex = extra.targetIndex;
    if (extra.prerequisite !== undefined) result.prerequisite = extra.prerequisite;
  }
  return Object.freeze(result);
}

/** Variant values are shared by every result that serves them, so they are frozen once. */
export function freezeValues(variants: Record<string, JsonValue>): void {
  for (const name in variants) deepFreeze(variants[name]);
}

/**
 * Variants own consecutive bucket ranges in split order, so raising the first (or last)
 * variant's weight only widens its range: nobody already in is moved out.
 */
export function compileServe(scope: ServeScope, serve: Serve, fixedReason: Reason, extra?: Extra): Outcome {
  if (serve.variant !== undefined) {
    const result = fixedResult(scope, serve.variant, fixedReason, extra);
    return () => result;
  }
  const split = serve.split;
  if (!split || split.length === 0) throw new CompileError('a serve needs a variant or a split');
  const results = split.map((w) => fixedResult(scope, w.variant, 'SPLIT', extra));
  const bounds: number[] = [];
  let total = 0;
  for (const w of split) {
    total += weightToBuckets(w.weight);
    bounds.push(total);
  }
  if (total !== BUCKET_COUNT) throw new CompileError(`split weights sum to ${total / 1000}%, not 100%`);
  const attribute = serve.bucketBy ?? scope.bucketBy;
  const isKey = attribute === 'targetingKey';
  const missing = errorResult(scope.key, 'TARGETING_KEY_MISSING', `context has no "${attribute}" to bucket by`);
  const { seed } = scope;
  const n = bounds.length;
  return (ctx) => {
    const id = readBucketValue(ctx, attribute, isKey);
    if (id === undefined) return missing;
    const b = bucketOf(id, seed);
    for (let i = 0; i < n; i++) if (b < bounds[i]!) return results[i]!;
    return results[n - 1]!;
  };
}
