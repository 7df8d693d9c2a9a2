import {
  type AttributeValue,
  type EvaluationContext,
  type EvaluationResult,
  type FlagSnapshot,
  toWirePayload,
  type WirePayload,
} from '@edgeflags/core';

/** The Worker's bulk evaluation response; @edgeflags/browser takes it as its bootstrap. */
export type AllFlags = WirePayload;

/** Drops what the Worker never sends (rule indexes, messages), so server and edge payloads are identical. */
export const toBootstrap = (snap: FlagSnapshot, results: Record<string, EvaluationResult>): AllFlags =>
  toWirePayload(snap.environment, snap.version, results, snap.tracked);

/** The Worker's limits on a context (workers/src/sdk/context.ts `CONTEXT_LIMITS`). */
const CONTEXT_LIMITS = { attributes: 100, keyLength: 128, stringLength: 1024, listLength: 100 };

/**
 * A copy of a context that the Worker's schema accepts: scalars and lists of scalars only,
 * strings and lists cut to its limits. One attribute it would reject (a nested object, a
 * 5 KB string) would otherwise get the whole batch of 500 events refused.
 */
export function toWireContext(ctx: EvaluationContext): EvaluationContext {
  const out: EvaluationContext = {};
  let n = 0;
  for (const key in ctx) {
    if (key.length === 0 || key.length > CONTEXT_LIMITS.keyLength) continue;
    const v = wireValue(ctx[key]);
    if (v === undefined || (key === 'targetingKey' && typeof v !== 'string')) continue;
    out[key] = v;
    if (++n >= CONTEXT_LIMITS.attributes) break;
  }
  return out;
}

function wireValue(v: AttributeValue | unknown): AttributeValue | undefined {
  if (typeof v === 'string') return v.slice(0, CONTEXT_LIMITS.stringLength);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean' || v === null) return v;
  if (!Array.isArray(v)) return undefined;
  const list: (string | number | boolean)[] = [];
  for (const x of v) {
    if (list.length >= CONTEXT_LIMITS.listLength) break;
    if (typeof x === 'string') list.push(x.slice(0, CONTEXT_LIMITS.stringLength));
    else if (typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))) list.push(x);
  }
  return list;
}
