import type { EvaluationContext } from '@edgeflags/core';
import { z } from 'zod';
import { validationError } from '../errors.ts';
import { parseJson } from '../parse-json.ts';

/** Limits on what an SDK may send per evaluation (documented in README "Limits"). */
export const CONTEXT_LIMITS = { attributes: 100, stringLength: 1024, listLength: 100, bodyBytes: 32 * 1024 } as const;

const Scalar = z.union([
  z.string().max(CONTEXT_LIMITS.stringLength),
  z.number().refine(Number.isFinite, 'must be finite'),
  z.boolean(),
  z.null(),
]);
const Attribute = z.union([
  Scalar,
  z.array(z.union([z.string().max(CONTEXT_LIMITS.stringLength), z.number(), z.boolean()])).max(CONTEXT_LIMITS.listLength),
]);

export const ContextSchema = z
  .record(z.string().min(1).max(128), Attribute)
  .refine((c) => Object.keys(c).length <= CONTEXT_LIMITS.attributes, `at most ${CONTEXT_LIMITS.attributes} attributes`)
  .refine((c) => c.targetingKey === undefined || typeof c.targetingKey === 'string', 'targetingKey must be a string');

export const EvaluateBody = z.object({ context: ContextSchema.default({}) });

/** Parses `{ "context": {...} }`; a flat context is an object of strings, numbers, booleans or lists. */
export async function readContext(req: Request): Promise<EvaluationContext> {
  const text = await req.text();
  const body: unknown = text === '' ? {} : parseJson(text);
  const parsed = EvaluateBody.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, 'body');
  return parsed.data.context as EvaluationContext;
}
