// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/node's public API: each
// suite is the snapshot a client downloads (through its `fetch`), and every case is asked of
// `evaluate`, `value`, `variant`, `isEnabled` and the OpenFeature provider. Any check of
// contexts, defaults or kinds the client did on its own would show up here as a disagreement.
import { ErrorCode, type JsonValue, OpenFeature, type EvaluationContext as OpenFeatureContext } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { type VectorCase, vectors } from '../../core/test/vectors.ts';
import { createClient, type EdgeflagsClient } from '../src/index.ts';
import { EdgeflagsProvider } from '../src/openfeature.ts';

const clients: EdgeflagsClient[] = [];
afterAll(async () => {
  await OpenFeature.close();
  await Promise.all(clients.map((c) => c.close()));
});

/** A client whose snapshot arrives the way a real one does: a GET answered with JSON. */
async function clientFor(suite: (typeof vectors.suites)[number], exposures = false): Promise<EdgeflagsClient> {
  const snapshot = { environment: 'vectors', version: 1, flags: suite.flags, segments: suite.segments ?? [] };
  const client = createClient({
    url: 'http://vectors.invalid',
    serverKey: 'efs_vectors',
    stream: false,
    exposures,
    logger: false,
    fetch: async (url) =>
      url.endsWith('/sdk/v1/events')
        ? new Response('{"accepted":0}', { status: 202 })
        : new Response(JSON.stringify(snapshot), { headers: { etag: '"1"' } }),
  });
  clients.push(client);
  expect(await client.ready()).toBe(true);
  return client;
}

const expectFields = (got: object, c: VectorCase, fields = Object.keys(c.expect)) => {
  for (const field of fields) expect((got as Record<string, unknown>)[field], field).toEqual(c.expect[field]);
};

/** The default OpenFeature needs for a case without one: any value of the flag's kind. */
const KIND_DEFAULT = { boolean: false, string: '', number: 0, json: {} } as const;

describe.each(vectors.suites.map((s, i) => ({ ...s, i })))(`vectors ${vectors.specVersion}: $name`, (suite) => {
  const kinds = new Map(suite.flags.map((f) => [f.key, f.kind]));

  it.each(suite.cases)('$name', async (c) => {
    const client = await clientFor(suite);
    const details = c.default === undefined ? client.evaluate(c.flag, c.context) : client.evaluate(c.flag, c.context, c.default as never);
    expectFields(details, c);
    if (c.expect.reason !== 'ERROR') expect(details.errorCode).toBeUndefined();
    // Cases that leave the value out pin other fields; the value is then evaluate()'s own.
    const served = 'value' in c.expect ? c.expect.value : details.value;
    if (c.default !== undefined) expect(client.value(c.flag, c.context, c.default as never)).toEqual(served);
    else {
      // Without a caller's default, variant() and isEnabled() see exactly what evaluate() saw.
      if ('variant' in c.expect) expect(client.variant(c.flag, c.context)).toEqual(c.expect.variant);
      expect(client.isEnabled(c.flag, c.context)).toBe(served === true && kinds.get(c.flag) === 'boolean');
    }
  });

  it('answers every case through the OpenFeature provider', async () => {
    const domain = `vectors-${suite.i}`;
    await OpenFeature.setProviderAndWait(domain, new EdgeflagsProvider(await clientFor(suite)));
    const of = OpenFeature.getClient(domain);
    // OpenFeature's context is an object by type (its SDK merges contexts by spreading them), so
    // a non-object context cannot reach a provider: those cases are the native API's alone.
    for (const c of suite.cases.filter((v) => typeof v.context === 'object' && v.context !== null && !Array.isArray(v.context))) {
      const fallback = c.default ?? KIND_DEFAULT[kinds.get(c.flag) ?? 'boolean'];
      const ctx = c.context as OpenFeatureContext;
      const get = {
        boolean: () => of.getBooleanDetails(c.flag, fallback as boolean, ctx),
        string: () => of.getStringDetails(c.flag, fallback as string, ctx),
        number: () => of.getNumberDetails(c.flag, fallback as number, ctx),
        object: () => of.getObjectDetails(c.flag, fallback as JsonValue, ctx),
      }[typeof fallback as 'boolean' | 'string' | 'number' | 'object'];
      const d = await get();
      expect(d.reason, c.name).toBe(c.expect.reason ?? d.reason);
      if (c.expect.reason === 'ERROR') {
        expect(d.value, c.name).toEqual(fallback);
        expect(d.errorCode, c.name).toBe(c.expect.errorCode ?? ErrorCode.GENERAL);
      } else {
        if ('value' in c.expect) expect(d.value, c.name).toEqual(c.expect.value);
        if ('variant' in c.expect) expect(d.variant, c.name).toEqual(c.expect.variant);
      }
    }
  });
});

describe('contexts core refuses are refused by every method', () => {
  it.each([
    ['an array', ['targetingKey', 'u-1']],
    ['a string', 'u-1'],
    ['null', null],
    ['a number', 42],
  ])('%s as context: INVALID_CONTEXT, fallbacks everywhere, nothing reported or thrown later', async (_, bad) => {
    // Exposures on: recorded results are drained after the call, where a throw would crash the process.
    const client = await clientFor(vectors.suites[0]!, true);
    const ctx = bad as unknown as Record<string, string>;
    for (const flag of vectors.suites[0]!.flags.filter((f) => f.kind === 'boolean')) {
      expect(client.evaluate(flag.key, ctx, false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'INVALID_CONTEXT' });
      expect(client.isEnabled(flag.key, ctx)).toBe(false);
      expect(client.variant(flag.key, ctx)).toBeUndefined();
      expect(client.value(flag.key, ctx, true)).toBe(true);
    }
    await client.close();
    expect(client.status().exposures).toEqual({ sent: 0, dropped: 0, queued: 0 });
  });
});
