import type { AttributeValue, EvaluationContext } from './types.ts';

export type Scalar = string | number | boolean;
export type Accessor = (ctx: EvaluationContext) => Scalar | ReadonlyArray<Scalar> | undefined;

/**
 * Reads one attribute. Only strings, numbers, booleans and arrays count as values: anything else
 * (null, objects, and members inherited from Object.prototype such as `constructor`) is "missing",
 * so a rule on `constructor` can never see a function.
 */
export function accessor(attribute: string): Accessor {
  if (attribute === 'targetingKey') return (ctx) => clean(ctx.targetingKey ?? ctx.userId);
  return (ctx) => clean(ctx[attribute]);
}

function clean(v: AttributeValue | unknown): Scalar | ReadonlyArray<Scalar> | undefined {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return v as Scalar;
  return Array.isArray(v) ? (v as Scalar[]) : undefined;
}

/** Reads a bucketing value: a non-empty string or a finite number, as a string. */
export function bucketAccessor(attribute: string): (ctx: EvaluationContext) => string | undefined {
  const get = accessor(attribute);
  return (ctx) => {
    const v = get(ctx);
    if (typeof v === 'string') return v === '' ? undefined : v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return undefined;
  };
}
