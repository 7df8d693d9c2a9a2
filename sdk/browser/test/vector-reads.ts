// Shared by the tests that run the vectors through a pre-evaluated SDK (browser, React, Next):
// the edge's answer for a suite, and what a reader of that answer must see for each case.
import { compileSnapshot, type JsonValue } from '@edgeflags/core';
import { evaluateForKey } from '../../../workers/src/sdk/bulk-evaluate.ts';
import type { VectorCase, VectorSuite } from '../../core/test/vectors.ts';
import type { Payload } from '../src/types.ts';

/** The suite compiled once, evaluated per context the way the Worker's bulk evaluation does. */
export function vectorPayload(suite: VectorSuite): (context: Record<string, unknown>) => Payload {
  const compiled = compileSnapshot({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
  return (context) => ({ environment: 'vectors', version: 1, flags: evaluateForKey({ version: 1, compiled }, 'server', context as never) });
}

/** What a Worker holding this suite answers to `POST /sdk/v1/evaluate` (all flags: a server-kind view). */
export function vectorEdge(suite: VectorSuite): typeof fetch {
  const evaluate = vectorPayload(suite);
  return (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const { context } = JSON.parse(String(init?.body)) as { context: Record<string, unknown> };
    return Response.json(evaluate(context));
  }) as typeof fetch;
}

/** A default of every type, for checking that a reader's fallback handling is core's. */
export const FALLBACKS: readonly JsonValue[] = [true, 'fallback', 7, { fallback: true }, ['fallback'], null];

/** Core's own answer for a case's flag and context with `fallback` as the caller's default. */
export function coreValue(suite: VectorSuite): (flag: string, context: Record<string, unknown>, fallback: JsonValue) => unknown {
  const compiled = compileSnapshot({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
  return (flag, context, fallback) => compiled.evaluate(flag, context as never, fallback).value;
}

/** The fields of a vector's `expect` that travel on the wire (rule and target indexes do not). */
export const WIRE_FIELDS = ['value', 'variant', 'reason', 'errorCode'] as const;

/** What a reader of a pre-evaluated payload must see for a case: core's answer, as the wire carries it. */
export function expectedRead(c: VectorCase): { found: boolean; fields: Partial<Record<(typeof WIRE_FIELDS)[number], unknown>> } {
  const fields: Partial<Record<(typeof WIRE_FIELDS)[number], unknown>> = {};
  for (const f of WIRE_FIELDS) if (f in c.expect && (c.default === undefined || f !== 'value')) fields[f] = c.expect[f];
  // A flag the snapshot does not hold is simply absent from the payload.
  return { found: c.expect.errorCode !== 'FLAG_NOT_FOUND', fields };
}
