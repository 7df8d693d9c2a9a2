// The language-neutral @edgeflags/core vectors, through the Worker's HTTP surface. Suite 1
// ("seed 001") is the seeded invoicing scenario, so its cases can run against the seeded
// development environment: the bulk endpoint (server key: every flag) must give the vector's
// answers, and the admin "who gets what" endpoint must agree with the bulk endpoint.
import type { EvaluationContext, EvaluationResult, FlagDefinition } from '@edgeflags/core';
import { beforeAll, describe, expect, it } from 'vitest';
import raw from '../../sdk/core/vectors/vectors.json' with { type: 'json' };
import { call, LOCAL_KEYS, seed } from './seed.ts';

interface VectorCase {
  name: string;
  flag: string;
  context: EvaluationContext;
  default?: unknown;
  expect: Record<string, unknown>;
}
interface VectorSuite {
  name: string;
  flags: FlagDefinition[];
  segments?: unknown[];
  cases: VectorCase[];
}

const suites = (raw as unknown as { suites: VectorSuite[] }).suites;
const seedSuite = suites.find((s) => s.name.startsWith('seed 001'))!;
/** A bulk endpoint has no caller default, so cases that pin one are checked separately. */
const bulkCases = seedSuite.cases.filter((c) => c.default === undefined);
const defaultCases = seedSuite.cases.filter((c) => c.default !== undefined);

/** The fields the SDK wire format carries (see workers/src/sdk/bulk-evaluate.ts). */
const WIRE_FIELDS = ['value', 'variant', 'reason', 'errorCode'] as const;
/** Extra detail only the admin endpoint returns. */
const DETAIL_FIELDS = ['ruleIndex', 'ruleId', 'targetIndex'] as const;

type Wire = { value: unknown; variant?: string; reason: string; errorCode?: string };

async function bulk(context: EvaluationContext): Promise<Record<string, Wire>> {
  const res = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.server, json: { context } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { flags: Record<string, Wire> }).flags;
}

async function whoGetsWhat(context: EvaluationContext): Promise<Record<string, EvaluationResult>> {
  const res = await call('/api/v1/environments/development/evaluate', { method: 'POST', key: LOCAL_KEYS.admin, json: { context } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: Record<string, EvaluationResult> }).results;
}

/**
 * What decides an answer. A disabled flag serves its off variant whatever else it says, so its
 * default rule is left out (the seed's maintenance-mode keeps `on` there for when it is switched
 * on; the vector file's copy says `off`). Rule names and per-flag versions are metadata.
 */
function semantics(f: FlagDefinition) {
  return {
    key: f.key,
    kind: f.kind,
    variants: f.variants,
    enabled: f.enabled,
    offVariant: f.offVariant,
    clientVisible: f.clientVisible ?? false,
    bucketBy: f.bucketBy,
    salt: f.salt,
    prerequisites: f.prerequisites ?? [],
    targets: f.targets ?? [],
    rules: (f.rules ?? []).map(({ name: _name, ...rule }) => rule),
    defaultServe: f.enabled ? f.defaultServe : 'unreachable while disabled',
  };
}

beforeAll(async () => {
  await seed();
});

describe(`vectors "${seedSuite.name}" through the Worker`, () => {
  it('the seeded development snapshot has exactly the flags of the seed 001 vector suite', async () => {
    const res = await call('/sdk/v1/snapshot', { key: LOCAL_KEYS.server });
    expect(res.status).toBe(200);
    const snapshot = (await res.json()) as { flags: FlagDefinition[]; segments: unknown[] };
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect(snapshot.flags.map(semantics).sort(byKey)).toEqual(seedSuite.flags.map(semantics).sort(byKey));
    expect(snapshot.segments).toEqual(seedSuite.segments ?? []);
  });

  it.each(bulkCases)('POST /sdk/v1/evaluate (server key): $name', async (c) => {
    const result = (await bulk(c.context))[c.flag];
    expect(result, `flag ${c.flag} missing from the bulk response`).toBeDefined();
    for (const field of WIRE_FIELDS) if (field in c.expect) expect(result![field], field).toEqual(c.expect[field]);
    if (c.expect.reason !== 'ERROR') expect(result!.errorCode).toBeUndefined();
  });

  it.each(defaultCases)('POST /sdk/v1/evaluate has no caller default, but the same error: $name', async (c) => {
    const result = (await bulk(c.context))[c.flag];
    expect(result).toEqual({ value: null, reason: c.expect.reason, errorCode: c.expect.errorCode });
  });

  it.each(seedSuite.cases)('admin "who gets what" agrees with the bulk endpoint for every flag: $name', async (c) => {
    const [wire, admin] = await Promise.all([bulk(c.context), whoGetsWhat(c.context)]);
    expect(Object.keys(admin).sort()).toEqual(Object.keys(wire).sort());
    for (const [key, full] of Object.entries(admin)) {
      const projected: Wire = { value: full.value, reason: full.reason };
      if (full.variant !== undefined) projected.variant = full.variant;
      if (full.errorCode !== undefined) projected.errorCode = full.errorCode;
      expect(projected, key).toEqual(wire[key]);
    }
    // The admin endpoint also says which rule or target decided, as the vectors pin it.
    for (const field of DETAIL_FIELDS) if (field in c.expect) expect(admin[c.flag]![field], field).toEqual(c.expect[field]);
  });
});
