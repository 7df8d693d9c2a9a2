import { z } from 'zod';
import { BUCKET_COUNT, weightToBuckets } from '../bucket.ts';
import { MAX_JSON_DEPTH } from '../limits.ts';
import type { FlagDefinition, JsonValue } from '../types.ts';
import { AttributeName, ConditionSchema, Key } from './condition-schema.ts';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON value, checked without recursion: the recursive schema overflowed the stack on a value
 * nested 2,000 deep (a 500, not a 400). At most MAX_JSON_DEPTH levels, finite numbers, plain
 * objects, and no key naming a prototype member.
 */
export const JsonValueSchema: z.ZodType<JsonValue> = z.custom<JsonValue>(
  isJsonValue,
  `must be JSON: finite numbers, at most ${MAX_JSON_DEPTH} levels deep, no __proto__, constructor or prototype key`,
);

function isJsonValue(root: unknown): boolean {
  const stack: [value: unknown, depth: number][] = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false;
      continue;
    }
    if (typeof value !== 'object' || depth >= MAX_JSON_DEPTH) return false;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const [key, item] of Object.entries(value)) {
      if (RESERVED_KEYS.has(key)) return false;
      stack.push([item, depth + 1]);
    }
  }
  return true;
}

const VariantName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, ".", "_" or "-"');

export const WeightedVariantSchema = z.strictObject({
  variant: VariantName,
  weight: z
    .number()
    .min(0)
    .max(100)
    .refine((w) => Math.abs(w * 1000 - Math.round(w * 1000)) < 1e-6, 'weights have at most three decimals'),
});

export const ServeSchema = z
  .strictObject({
    variant: VariantName.optional(),
    split: z.array(WeightedVariantSchema).min(1).max(100).optional(),
    bucketBy: AttributeName.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.variant === undefined) === (s.split === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'serve exactly one of "variant" or "split"', path: [] });
      return;
    }
    if (!s.split) return;
    const total = s.split.reduce((sum, w) => sum + weightToBuckets(w.weight), 0);
    if (total !== BUCKET_COUNT) ctx.addIssue({ code: 'custom', message: `weights sum to ${total / 1000}%, not 100%`, path: ['split'] });
    const seen = new Set<string>();
    s.split.forEach((w, i) => {
      if (seen.has(w.variant))
        ctx.addIssue({ code: 'custom', message: `variant "${w.variant}" appears twice`, path: ['split', i, 'variant'] });
      seen.add(w.variant);
    });
  });

export const RuleSchema = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().max(200).optional(),
  conditions: z.array(ConditionSchema).max(50),
  serve: ServeSchema,
});

export const TargetSchema = z.strictObject({
  attribute: AttributeName.optional(),
  values: z.array(z.string().min(1).max(256)).min(1).max(10_000),
  variant: VariantName,
});

export const PrerequisiteSchema = z.strictObject({
  flag: Key,
  variants: z.array(VariantName).min(1).max(100),
});

/** A switch carried in the snapshot: from `at` (epoch ms) the flag evaluates with `config` in place. */
export const ScheduledSwitchSchema = z.strictObject({
  at: z.number().int().positive(),
  config: z.strictObject({
    enabled: z.boolean().optional(),
    offVariant: VariantName.optional(),
    prerequisites: z.array(PrerequisiteSchema).max(20).optional(),
    targets: z.array(TargetSchema).max(100).optional(),
    rules: z.array(RuleSchema).max(200).optional(),
    defaultServe: ServeSchema.optional(),
    bucketBy: AttributeName.nullable().optional(),
  }),
});

const KIND_OF: Record<FlagDefinition['kind'], (v: JsonValue) => boolean> = {
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  json: () => true,
};

export const FlagDefinitionSchema = z
  .strictObject({
    key: Key,
    kind: z.enum(['boolean', 'string', 'number', 'json']),
    variants: z.record(VariantName, JsonValueSchema),
    enabled: z.boolean(),
    offVariant: VariantName,
    prerequisites: z.array(PrerequisiteSchema).max(20).optional(),
    targets: z.array(TargetSchema).max(100).optional(),
    rules: z.array(RuleSchema).max(200).optional(),
    defaultServe: ServeSchema,
    bucketBy: AttributeName.optional(),
    salt: z.string().min(1).max(128).optional(),
    clientVisible: z.boolean().optional(),
    version: z.number().int().nonnegative().optional(),
    scheduledSwitch: ScheduledSwitchSchema.optional(),
  })
  .superRefine((f, ctx) => {
    const issue = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
    const names = Object.keys(f.variants);
    if (names.length === 0) issue('a flag needs at least one variant', ['variants']);
    if (names.length > 100) issue('a flag has at most 100 variants', ['variants']);
    for (const name of names) {
      if (!KIND_OF[f.kind](f.variants[name]!)) issue(`variant "${name}" is not a ${f.kind}`, ['variants', name]);
    }
    const known = (variant: string | undefined, path: PropertyKey[]) => {
      if (variant !== undefined && !Object.hasOwn(f.variants, variant))
        issue(`unknown variant "${variant}" (have: ${names.join(', ')})`, path);
    };
    const serve = (s: z.infer<typeof ServeSchema>, path: PropertyKey[]) => {
      known(s.variant, [...path, 'variant']);
      for (const [i, w] of (s.split ?? []).entries()) known(w.variant, [...path, 'split', i, 'variant']);
    };
    known(f.offVariant, ['offVariant']);
    for (const [i, t] of (f.targets ?? []).entries()) known(t.variant, ['targets', i, 'variant']);
    for (const [i, r] of (f.rules ?? []).entries()) serve(r.serve, ['rules', i, 'serve']);
    serve(f.defaultServe, ['defaultServe']);
    const later = f.scheduledSwitch?.config;
    if (later) {
      const at = ['scheduledSwitch', 'config'];
      known(later.offVariant, [...at, 'offVariant']);
      if (later.defaultServe) serve(later.defaultServe, [...at, 'defaultServe']);
      for (const [i, t] of (later.targets ?? []).entries()) known(t.variant, [...at, 'targets', i, 'variant']);
      for (const [i, r] of (later.rules ?? []).entries()) serve(r.serve, [...at, 'rules', i, 'serve']);
    }
    f.prerequisites?.forEach((p, i) => {
      if (p.flag === f.key) issue('a flag cannot be its own prerequisite', ['prerequisites', i, 'flag']);
    });
    const ids = new Set<string>();
    f.rules?.forEach((r, i) => {
      if (r.id === undefined) return;
      if (ids.has(r.id)) issue(`rule id "${r.id}" is used twice`, ['rules', i, 'id']);
      ids.add(r.id);
    });
  });

export const SegmentDefinitionSchema = z
  .strictObject({
    key: Key,
    attribute: AttributeName.optional(),
    included: z.array(z.string().min(1).max(256)).max(10_000).optional(),
    excluded: z.array(z.string().min(1).max(256)).max(10_000).optional(),
    rules: z.array(z.array(ConditionSchema).max(50)).max(100).optional(),
  })
  .superRefine((s, ctx) => {
    for (const [i, r] of (s.rules ?? []).entries()) {
      for (const [j, c] of r.entries()) {
        if (c.op === 'inSegment' || c.op === 'notInSegment') {
          ctx.addIssue({ code: 'custom', message: 'segments cannot refer to other segments', path: ['rules', i, j, 'op'] });
        }
      }
    }
  });
