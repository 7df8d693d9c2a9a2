// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/browser's public API.
// A browser never evaluates: it POSTs its context and reads what the edge answers. The injected
// `fetch` answers with the Worker's own bulk evaluation (workers/src/sdk/bulk-evaluate.ts) of the
// suite's snapshot, so every case checks what a page reads (`result`, `value`, `variant`,
// `isEnabled`) against what core decided, including the page's own handling of fallbacks.
import { OpenFeature, type EvaluationContext as OpenFeatureContext, type JsonValue as OpenFeatureJson } from '@openfeature/web-sdk';
import { describe, expect, it } from 'vitest';
import { vectors } from '../../core/test/vectors.ts';
import { createClient } from '../src/index.ts';
import { EdgeflagsWebProvider } from '../src/openfeature.ts';

/** The default OpenFeature needs for a case without one: any value of the flag's kind. */
const KIND_DEFAULT = { boolean: false, string: '', number: 0, json: {} } as const;

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

  it('answers every case through the OpenFeature web provider', async () => {
    const domain = `vectors-${suite.name}`;
    const provider = new EdgeflagsWebProvider({
      url: 'http://vectors.invalid',
      clientKey: 'efc_vectors',
      fetch: edge,
      storage: null,
      stream: false,
      exposures: false,
    });
    await OpenFeature.setProviderAndWait(domain, provider, {});
    const of = OpenFeature.getClient(domain);
    // OpenFeature's context is an object by type (its SDK merges contexts by spreading them), so
    // a non-object context cannot reach a provider: those cases are the native API's alone.
    for (const c of suite.cases.filter((v) => typeof v.context === 'object' && v.context !== null && !Array.isArray(v.context))) {
      await OpenFeature.setContext(domain, c.context as OpenFeatureContext);
      const fallback = c.default ?? KIND_DEFAULT[kinds.get(c.flag) ?? 'boolean'];
      const get = {
        boolean: () => of.getBooleanDetails(c.flag, fallback as boolean),
        string: () => of.getStringDetails(c.flag, fallback as string),
        number: () => of.getNumberDetails(c.flag, fallback as number),
        object: () => of.getObjectDetails(c.flag, fallback as OpenFeatureJson),
      }[typeof fallback as 'boolean' | 'string' | 'number' | 'object'];
      const d = get();
      if ('reason' in c.expect) expect(d.reason, c.name).toBe(c.expect.reason);
      if (c.expect.reason === 'ERROR') {
        expect(d.value, c.name).toEqual(fallback);
        expect(d.errorCode, c.name).toBe(c.expect.errorCode);
      } else {
        if ('value' in c.expect) expect(d.value, c.name).toEqual(c.expect.value);
        if ('variant' in c.expect) expect(d.variant, c.name).toEqual(c.expect.variant);
      }
    }
    await OpenFeature.clearProviders();
  });
});
