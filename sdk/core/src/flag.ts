import { readAttribute } from './attribute.ts';
import { saltSeed } from './bucket.ts';
import { MAX_PREREQUISITE_DEPTH } from './limits.ts';
import { CompileError, compileCondition, type Predicate } from './operators.ts';
import { errorResult } from './result.ts';
import { compileServe, fixedResult, freezeValues, type Outcome, type ServeScope } from './serve.ts';
import type { EvaluationContext, EvaluationResult, FlagDefinition, FlagKind, JsonValue } from './types.ts';

export interface CompiledFlag {
  readonly key: string;
  readonly kind: FlagKind;
  readonly clientVisible: boolean;
  /** Set when the answer cannot depend on the context (off, or no targeting): callers skip the call. */
  readonly constant?: EvaluationResult;
  /**
   * Never throws; ERROR results carry `null` as value, for the caller's default to replace.
   * `memo` holds the prerequisite results of one evaluation, so a flag reached along many paths
   * (a diamond) is evaluated once: work is bounded by the flags reachable, not by the paths.
   */
  evaluate(ctx: EvaluationContext, depth?: number, memo?: PrerequisiteMemo): EvaluationResult;
}

/** Prerequisite results within one evaluation, by flag key (undefined: the flag does not exist). */
export type PrerequisiteMemo = Map<string, EvaluationResult | undefined>;

export type FlagLookup = (key: string) => CompiledFlag | undefined;

const KIND_CHECK: Record<FlagKind, (v: JsonValue) => boolean> = {
  boolean: (v) => typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  json: () => true,
};

export function compileFlag(def: FlagDefinition, segments: ReadonlyMap<string, Predicate>, lookup: FlagLookup): CompiledFlag {
  const check = KIND_CHECK[def.kind];
  if (!check) throw new CompileError(`unknown kind "${def.kind}"`);
  for (const [name, v] of Object.entries(def.variants)) {
    if (!check(v)) throw new CompileError(`variant "${name}" is not a ${def.kind}`);
  }
  const scope: ServeScope = {
    key: def.key,
    variants: def.variants,
    seed: saltSeed(def.salt ?? def.key),
    bucketBy: def.bucketBy ?? 'targetingKey',
  };
  freezeValues(def.variants);
  const base = { key: def.key, kind: def.kind, clientVisible: def.clientVisible === true };
  const off = fixedResult(scope, def.offVariant, 'DISABLED');
  if (!def.enabled) return { ...base, constant: off, evaluate: () => off };

  const prerequisites = (def.prerequisites ?? []).map((p) => ({
    flag: p.flag,
    variants: new Set(p.variants),
    failed: fixedResult(scope, def.offVariant, 'DISABLED', { prerequisite: p.flag }),
  }));
  const targets = (def.targets ?? []).map((t, targetIndex) => ({
    attribute: t.attribute ?? 'targetingKey',
    isKey: (t.attribute ?? 'targetingKey') === 'targetingKey',
    values: new Set(t.values),
    result: fixedResult(scope, t.variant, 'TARGETING_MATCH', { targetIndex }),
  }));
  const rules = (def.rules ?? []).map((r, ruleIndex) => {
    const preds = r.conditions.map((c) => compileCondition(c, segments));
    const extra = r.id === undefined ? { ruleIndex } : { ruleIndex, ruleId: r.id };
    const serve = compileServe(scope, r.serve, 'TARGETING_MATCH', extra);
    // A fixed answer is kept beside the closure, so the call below only ever calls a split.
    return { test: all(preds), fixed: r.serve.variant !== undefined ? serve({}) : undefined, serve };
  });
  const fallthrough: Outcome = compileServe(scope, def.defaultServe, 'DEFAULT');
  if (!prerequisites.length && !targets.length && !rules.length && def.defaultServe.variant !== undefined) {
    const result = fallthrough({});
    return { ...base, constant: result, evaluate: () => result };
  }
  const fixedFallthrough = def.defaultServe.variant !== undefined ? fallthrough({}) : undefined;
  const tooDeep = errorResult(def.key, 'GENERAL', `prerequisites nest deeper than ${MAX_PREREQUISITE_DEPTH}`);

  return {
    ...base,
    evaluate(ctx, depth = 0, memo) {
      if (prerequisites.length > 0) {
        if (depth >= MAX_PREREQUISITE_DEPTH) return tooDeep;
        const seen: PrerequisiteMemo = memo ?? new Map();
        for (const p of prerequisites) {
          let r = seen.get(p.flag);
          if (r === undefined && !seen.has(p.flag)) {
            r = lookup(p.flag)?.evaluate(ctx, depth + 1, seen);
            seen.set(p.flag, r);
          }
          if (r?.variant === undefined || !p.variants.has(r.variant)) return p.failed;
        }
      }
      for (const t of targets) if (isTarget(readAttribute(ctx, t.attribute, t.isKey), t.values)) return t.result;
      for (const r of rules) if (r.test(ctx)) return r.fixed ?? r.serve(ctx);
      return fixedFallthrough ?? fallthrough(ctx);
    },
  };
}

function all(preds: Predicate[]): Predicate {
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0]!;
  return (ctx) => {
    for (const p of preds) if (!p(ctx)) return false;
    return true;
  };
}

function isTarget(v: ReturnType<typeof readAttribute>, values: Set<string>): boolean {
  if (v === undefined) return false;
  if (typeof v === 'object') return v.some((x) => values.has(String(x)));
  return values.has(typeof v === 'string' ? v : String(v));
}

/** Stands in for a flag that failed to compile: every evaluation reports why. */
export function brokenFlag(def: Pick<FlagDefinition, 'key' | 'kind' | 'clientVisible'>, message: string): CompiledFlag {
  const result = errorResult(def.key, 'PARSE_ERROR', message);
  return { key: def.key, kind: def.kind, clientVisible: def.clientVisible === true, constant: result, evaluate: () => result };
}
