import type { EvaluationContext, EvaluationResult } from '@edgeflags/core';

/** One flag + variant: the context keys it was recently reported for, in two generations. */
interface Group {
  cur: Set<string>;
  prev: Set<string>;
}

/** What one compiled result object resolves to, looked up once per result rather than per evaluation. */
interface Entry {
  group: Group;
  /** The flag's bucketing attribute when the result was compiled. */
  attr: string;
}

const MAX_KEY_LENGTH = 256;

export type ContextKeyOf = (ctx: EvaluationContext, flag: string) => string | undefined;

/**
 * Remembers which flag + variant + context key triples were reported, for at most `size` keys.
 *
 * Built for the drain loop, which sees every evaluation: lookups go by the identity of the
 * frozen result object (one per flag × variant × reason, made at compile time) and then by the
 * context key string, whose hash V8 caches on the string — no string is built per check.
 * Two generations approximate an LRU: when the current one is half full it becomes the previous
 * one and the oldest is dropped, so a key seen in either generation stays deduplicated.
 */
export class ExposureDedupe {
  readonly #half: number;
  readonly #groups = new Map<string, Group>();
  #byResult = new Map<EvaluationResult, Entry>();
  #count = 0;
  #lastResult: EvaluationResult | undefined;
  #lastEntry: Entry | undefined;
  readonly #bucketBy: (flag: string) => string;
  readonly #custom: ContextKeyOf | undefined;

  /** Context keys are the flag's `bucketBy` attribute (e.g. accountId), else targetingKey / userId, unless `custom` says otherwise. */
  constructor(size: number, bucketBy: (flag: string) => string, custom?: ContextKeyOf) {
    this.#half = Math.max(1, Math.floor(size / 2));
    this.#bucketBy = bucketBy;
    this.#custom = custom;
  }

  /** The context key when this triple was not reported recently; undefined when it was, or has no key. */
  fresh(result: EvaluationResult, ctx: EvaluationContext): string | undefined {
    const entry = this.#entryOf(result);
    const key = this.#custom ? safely(this.#custom, ctx, result.key) : keyOf(ctx, entry.attr);
    // The Worker takes 1–256 characters; anything else would get the whole batch refused.
    if (key === undefined || key.length === 0 || key.length > MAX_KEY_LENGTH) return undefined;
    const { group } = entry;
    if (group.cur.has(key)) return undefined;
    if (group.prev.has(key)) {
      this.#add(group, key);
      return undefined;
    }
    return key;
  }

  remember(result: EvaluationResult, contextKey: string): void {
    this.#add(this.#entryOf(result).group, contextKey);
  }

  #add(group: Group, contextKey: string): void {
    group.cur.add(contextKey);
    if (++this.#count < this.#half) return;
    for (const g of this.#groups.values()) {
      g.prev = g.cur;
      g.cur = new Set();
    }
    this.#count = 0;
  }

  #entryOf(result: EvaluationResult): Entry {
    // Runs of the same answer (one flag's variant for many contexts) skip the map.
    if (result === this.#lastResult) return this.#lastEntry!;
    const known = this.#byResult.get(result);
    if (known !== undefined) {
      this.#lastResult = result;
      this.#lastEntry = known;
      return known;
    }
    // Error results carrying a caller's fallback are fresh objects: grouped by flag, never cached by identity.
    const error = result.reason === 'ERROR';
    const id = `${result.key}\u0000${error ? '' : result.variant}`;
    let group = this.#groups.get(id);
    if (group === undefined) {
      group = { cur: new Set(), prev: new Set() };
      this.#groups.set(id, group);
    }
    // Results of replaced snapshots would pile up here: start over now and then.
    if (this.#byResult.size >= 10_000) {
      this.#byResult = new Map();
      this.#lastResult = undefined;
    }
    const entry = { group, attr: this.#bucketBy(result.key) };
    if (!error) this.#byResult.set(result, entry);
    return entry;
  }
}

function keyOf(ctx: EvaluationContext, attr: string): string | undefined {
  let v = attr === 'targetingKey' ? undefined : ctx[attr];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  v = ctx.targetingKey ?? ctx.userId;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function safely(fn: ContextKeyOf, ctx: EvaluationContext, flag: string): string | undefined {
  try {
    return fn(ctx, flag);
  } catch {
    return undefined;
  }
}
