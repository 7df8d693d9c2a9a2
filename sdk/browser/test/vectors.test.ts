// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/browser's public API.
// A browser never evaluates: it POSTs its context and reads what the edge answers. The injected
// `fetch` answers with the Worker's own bulk evaluation (workers/src/sdk/bulk-evaluate.ts) of the
// suite's snapshot, so every case checks what a page reads (`result`, `value`, `variant`,
// `isEnabled`) against what core decided, including the page's own handling of fallbacks.
import { compileSnapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { evaluateForKey } from '../../../workers/src/sdk/bulk-evaluate.ts';
import { type VectorCase, type VectorSuite, vectors } from '../../core/test/vectors.ts';
import { createClient } from '../src/index.ts';
import type { Payload } from '../src/types.ts';

/** What a Worker holding this suite answers to `POST /sdk/v1/evaluate` (all flags: a server-kind view). */
export function vectorEdge(suite: VectorSuite): typeof fetch {
  const compiled = compileSnapshot({ environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] });
  return (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const { context } = JSON.parse(String(init?.body)) as { context: Record<string, unknown> };
    const payload: Payload = {
      environment: 'vectors',
      version: 1,
      flags: evaluateForKey({ version: 1, compiled }, 'server', context as never),
    };
    return Response.json(payload);
  }) as typeof fetch;
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

describe.each(vectors.suites)(`vectors ${vectors.specVersion} through @edgeflags/browser: $name`, (suite) => {
  const kinds = new Map(suite.flags.map((f) => [f.key, f.kind]));
  const edge = vectorEdge(suite);

  it.each(suite.cases)('$name', async (c) => {
    const flags = createClient({
      url: 'http://vectors.invalid',
      clientKey: 'efc_vectors',
      context: c.context as never,
      fetch: edge,
      storage: null,
      stream: false,
      exposures: false,
    });
    expect(await flags.ready()).toBe(true);
    const result = flags.result(c.flag);
    const { found, fields } = expectedRead(c);
    if (!found) expect(result).toBeUndefined();
    // With a caller's default, the page evaluated without it: only the default's handling differs.
    else if (c.default === undefined || c.expect.errorCode !== 'TYPE_MISMATCH') expect(result).toMatchObject(fields);
    if (c.default !== undefined && 'value' in c.expect) expect(flags.value(c.flag, c.default as never)).toEqual(c.expect.value);
    if (c.default === undefined) {
      if ('variant' in c.expect) expect(flags.variant(c.flag)).toEqual(c.expect.variant);
      if (kinds.get(c.flag) === 'boolean' && 'value' in c.expect) expect(flags.isEnabled(c.flag)).toBe(c.expect.value === true);
    }
    flags.close();
  });
});
