// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/browser's public API.
// A browser never evaluates: it POSTs its context and reads what the edge answers. The injected
// `fetch` answers with the Worker's own bulk evaluation (workers/src/sdk/bulk-evaluate.ts) of the
// suite's snapshot, so every case checks what a page reads (`result`, `value`, `variant`,
// `isEnabled`) against what core decided, including the page's own handling of fallbacks.
import { describe, expect, it } from 'vitest';
import { vectors } from '../../core/test/vectors.ts';
import { createClient } from '../src/index.ts';
import { coreValue, expectedRead, FALLBACKS, vectorEdge } from './vector-reads.ts';

describe.each(vectors.suites)(`vectors ${vectors.specVersion} through @edgeflags/browser: $name`, (suite) => {
  const kinds = new Map(suite.flags.map((f) => [f.key, f.kind]));
  const edge = vectorEdge(suite);
  const core = coreValue(suite);

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
      // The caller's fallback is handled by core's rule, whatever its type (null, arrays included).
      for (const fallback of FALLBACKS)
        expect(flags.value(c.flag, fallback as never), JSON.stringify(fallback)).toEqual(core(c.flag, c.context, fallback));
      if ('variant' in c.expect) expect(flags.variant(c.flag)).toEqual(c.expect.variant);
      if (kinds.get(c.flag) === 'boolean' && 'value' in c.expect) expect(flags.isEnabled(c.flag)).toBe(c.expect.value === true);
    }
    flags.close();
  });
});
