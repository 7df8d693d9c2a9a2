import type { AttributeValue, EvaluationContext } from './types.ts';

export type Scalar = string | number | boolean;
export type AttributeRead = Scalar | ReadonlyArray<Scalar> | undefined;

/**
 * Reads one attribute. Only strings, numbers, booleans and arrays count as values: anything else
 * (null, objects, and members inherited from Object.prototype such as `constructor`) is "missing",
 * so a rule on `constructor` can never see a function.
 *
 * One function for every attribute (`isKey` says `targetingKey`, with its `userId` alias), not a
 * closure per attribute: the evaluator's call sites stay monomorphic however many flags run.
 */
export function readAttribute(ctx: EvaluationContext, attribute: string, isKey: boolean): AttributeRead {
  return clean(isKey ? (ctx.targetingKey ?? ctx.userId) : ctx[attribute]);
}

function clean(v: AttributeValue | unknown): AttributeRead {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return v as Scalar;
  return Array.isArray(v) ? (v as Scalar[]) : undefined;
}

/** Reads a bucketing value: a non-empty string or a finite number, as a string. */
export function readBucketValue(ctx: EvaluationContext, attribute: string, isKey: boolean): string | undefined {
  const v = readAttribute(ctx, attribute, isKey);
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
