// The shared vectors (sdk/core/vectors/vectors.json) through @edgeflags/react's hooks, rendered
// on the server from the bootstrap a server would embed: the Worker's own bulk evaluation of the
// suite for the case's context. `useFeatureFlag` and `useFlagValue` must read core's answer, and
// handle a fallback of any type the way core handles a caller's default.
import type { JsonValue } from '@edgeflags/core';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { coreValue, expectedRead, FALLBACKS, vectorPayload } from '../../browser/test/vector-reads.ts';
import { vectors } from '../../core/test/vectors.ts';
import { FlagProvider, useFeatureFlag, useFlagValue } from '../src/index.ts';

function Probe({ flag, fallback }: { flag: string; fallback: JsonValue }) {
  const { enabled, variant, loading } = useFeatureFlag(flag);
  const value = useFlagValue(flag, fallback as never);
  return <pre>{JSON.stringify({ enabled, variant: variant ?? null, loading, value })}</pre>;
}

const ENTITIES: Record<string, string> = { '&quot;': '"', '&#x27;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/** Renders the hooks for one flag and fallback, bootstrapped with `payload`, and reads back what they returned. */
function render(payload: ReturnType<ReturnType<typeof vectorPayload>>, flag: string, fallback: JsonValue) {
  const html = renderToString(
    <FlagProvider url="http://vectors.invalid" clientKey="efc_vectors" bootstrap={payload} storage={null} exposures={false}>
      <Probe flag={flag} fallback={fallback} />
    </FlagProvider>,
  );
  const json = /<pre>(.*)<\/pre>/s.exec(html)![1]!.replace(/&(quot|#x27|lt|gt|amp);/g, (e) => ENTITIES[e]!);
  return JSON.parse(json) as { enabled: boolean; variant: string | null; loading: boolean; value: unknown };
}

describe.each(vectors.suites)(`vectors ${vectors.specVersion} through @edgeflags/react: $name`, (suite) => {
  const kinds = new Map(suite.flags.map((f) => [f.key, f.kind]));
  const evaluate = vectorPayload(suite);
  const core = coreValue(suite);

  it.each(suite.cases)('$name', (c) => {
    const payload = evaluate(c.context);
    const { found } = expectedRead(c);
    if (c.default !== undefined) {
      const read = render(payload, c.flag, c.default);
      expect(read.loading).toBe(false);
      if ('value' in c.expect) expect(read.value).toEqual(c.expect.value);
      return;
    }
    for (const fallback of FALLBACKS) {
      const read = render(payload, c.flag, fallback);
      expect(read.loading).toBe(false);
      expect(read.value, JSON.stringify(fallback)).toEqual(core(c.flag, c.context, fallback));
      if ('variant' in c.expect) expect(read.variant).toEqual(c.expect.variant ?? null);
      if (!found) expect(read).toMatchObject({ enabled: false, variant: null });
      if (kinds.get(c.flag) === 'boolean' && 'value' in c.expect) expect(read.enabled).toBe(c.expect.value === true);
    }
  });
});
