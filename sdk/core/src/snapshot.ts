import { brokenFlag, type CompiledFlag, compileFlag } from './flag.ts';
import { CompileError } from './operators.ts';
import { errorResult } from './result.ts';
import { lastSwitchAt, nextSwitchAt, snapshotAt } from './scheduled-switch.ts';
import { compileSegments } from './segment.ts';
import type { EvaluationContext, EvaluationResult, FlagDefinition, FlagKind, JsonValue, Snapshot } from './types.ts';

export interface FlagSnapshot {
  readonly environment: string;
  readonly version: number;
  readonly keys: readonly string[];
  /** Keys of flags under a live release plan (`Snapshot.tracked`): SDKs record outcomes for these only. */
  readonly tracked: readonly string[];
  flag(key: string): CompiledFlag | undefined;
  /**
   * Evaluates one flag. Never throws: on any error the result carries `defaultValue` (or `null`
   * without one), reason `ERROR` and an OpenFeature error code.
   */
  evaluate<T extends JsonValue>(key: string, ctx: EvaluationContext, defaultValue: T): EvaluationResult<T>;
  evaluate(key: string, ctx: EvaluationContext): EvaluationResult;
  /** Evaluates every flag (or those `include` accepts) for one context. */
  evaluateAll(ctx: EvaluationContext, include?: (flag: CompiledFlag) => boolean): Record<string, EvaluationResult>;
  /**
   * The next scheduled switch (epoch ms) this copy does not apply yet; undefined when none is
   * pending. Answers computed from this copy (cached evaluations, ETags) expire at that instant.
   */
  readonly nextSwitchAt: number | undefined;
  /** The latest switch instant applied (0: none); evaluation ETags carry it, so they change at a switch. */
  readonly switchPhase: number;
  /**
   * This snapshot as it evaluates at `now` (epoch ms): itself until `nextSwitchAt`, then a copy
   * compiled with the due switches applied (compiled once, kept). Runtimes call it with their clock.
   */
  at(now: number): FlagSnapshot;
}

/** `typeof` of a caller's default that fits the flag's kind (JSON flags take objects and arrays). */
const DEFAULT_TYPE: Record<FlagKind, string> = { boolean: 'boolean', string: 'string', number: 'number', json: 'object' };

/** What `evaluate` looks up: one shape for every flag, so its loads stay monomorphic. */
class Slot {
  /** The compiled flag, or its lazy stand-in until the first evaluation. */
  flag: CompiledFlag | undefined = undefined;
  /** The answer when it cannot depend on the context (flag off, one variant for everyone). */
  fixed: EvaluationResult | undefined = undefined;
  readonly defaultType: string;
  constructor(kind: FlagKind) {
    this.defaultType = DEFAULT_TYPE[kind];
  }
}

/**
 * Compiles one environment's flags into closures. A flag that cannot compile (bad regex,
 * unknown variant, a prerequisite cycle) evaluates to PARSE_ERROR; the others are unaffected.
 *
 * Each flag compiles on its first evaluation (a few µs) and then replaces its placeholder in
 * the index, so the hot path never pays for the laziness. Swapping in a pushed 1,000-flag
 * snapshot therefore costs indexing only, and flags an application never reads cost nothing.
 * `eager: true` compiles everything up front (what a validator or a benchmark wants).
 */
export function compileSnapshot(source: Snapshot, options: { eager?: boolean; now?: number } = {}): FlagSnapshot {
  // Without `now` no switch is applied yet and the earliest one is next (`at` brings it in).
  const snapshot = options.now === undefined ? source : snapshotAt(source, options.now);
  const nextAt = nextSwitchAt(source, options.now ?? Number.NEGATIVE_INFINITY);
  const { predicates, errors } = compileSegments(snapshot.segments ?? []);
  const flags = new Map<string, CompiledFlag>();
  // A null-prototype object, not a Map: V8's Map.get walks a hash chain whose length for a given
  // key depends on the process's random hash seed (3.7 to 10 ns per lookup among 1,000 keys,
  // varying run to run), while a dictionary-mode object's lookup compares internalized names by
  // pointer at a lower load factor (about 4 ns with a constant key, 6 ns with a variable one).
  const slots: Record<string, Slot> = Object.create(null);
  const lookup = (key: string) => flags.get(key);
  const cycles = findPrerequisiteCycles(snapshot.flags);
  for (const def of snapshot.flags) {
    const slot = new Slot(def.kind);
    slots[def.key] = slot;
    const compile = () => {
      const compiled = compileOne(def, cycles.get(def.key), predicates, errors, lookup);
      flags.set(def.key, compiled);
      slot.flag = compiled;
      if (compiled.constant?.reason !== 'ERROR') slot.fixed = compiled.constant;
      return compiled;
    };
    if (options.eager) compile();
    else {
      slot.flag = lazyFlag(def, compile);
      flags.set(def.key, slot.flag);
    }
  }
  // The snapshot may come off the network: only keys it holds, as strings, count as tracked.
  const tracked = Array.isArray(snapshot.tracked) ? snapshot.tracked.filter((k) => typeof k === 'string' && flags.has(k)) : [];
  const switchPhase = options.now === undefined ? 0 : lastSwitchAt(source, options.now);
  return new CompiledSnapshot(snapshot, [...flags.keys()], tracked, nextAt, switchPhase, flags, slots, (now) =>
    compileSnapshot(source, { ...options, now }),
  );
}

/**
 * One class for every snapshot, its methods on the prototype: each call site of `evaluate` sees
 * one function however many snapshots a process compiles (every push brings one), which V8 can
 * inline; closures per snapshot made those sites polymorphic.
 */
class CompiledSnapshot implements FlagSnapshot {
  readonly environment: string;
  readonly version: number;
  readonly keys: readonly string[];
  readonly tracked: readonly string[];
  readonly nextSwitchAt: number | undefined;
  readonly switchPhase: number;
  readonly #flags: Map<string, CompiledFlag>;
  readonly #slots: Record<string, Slot>;
  readonly #recompile: (now: number) => FlagSnapshot;
  #later: FlagSnapshot | undefined;

  constructor(
    snapshot: Snapshot,
    keys: readonly string[],
    tracked: readonly string[],
    nextAt: number | undefined,
    switchPhase: number,
    flags: Map<string, CompiledFlag>,
    slots: Record<string, Slot>,
    recompile: (now: number) => FlagSnapshot,
  ) {
    this.environment = snapshot.environment;
    this.version = snapshot.version;
    this.keys = keys;
    this.tracked = tracked;
    this.nextSwitchAt = nextAt;
    this.switchPhase = switchPhase;
    this.#flags = flags;
    this.#slots = slots;
    this.#recompile = recompile;
    this.#later = undefined;
  }

  at(now: number): FlagSnapshot {
    if (this.nextSwitchAt === undefined || now < this.nextSwitchAt) return this;
    this.#later ??= this.#recompile(now);
    return this.#later.at(now);
  }

  flag(key: string): CompiledFlag | undefined {
    return this.#flags.get(key);
  }

  evaluate<T extends JsonValue>(key: string, ctx: EvaluationContext, defaultValue: T): EvaluationResult<T>;
  evaluate(key: string, ctx: EvaluationContext): EvaluationResult;
  evaluate(key: string, ctx: EvaluationContext, defaultValue?: JsonValue): EvaluationResult {
    // No prototype to inherit from; a JS caller's non-string key is not coerced into a flag name.
    const slot = typeof key === 'string' ? this.#slots[key] : undefined;
    if (slot === undefined) return evaluateOne(undefined, key, ctx, defaultValue);
    // Fast path for answers fixed at compile time: the same checks as evaluateOne, inlined.
    const fixed = slot.fixed;
    if (
      fixed !== undefined &&
      typeof ctx === 'object' &&
      ctx !== null &&
      !Array.isArray(ctx) &&
      (defaultValue === undefined || typeof defaultValue === slot.defaultType)
    )
      return fixed;
    return evaluateSlot(slot, key, ctx, defaultValue);
  }

  evaluateAll(ctx: EvaluationContext, include?: (flag: CompiledFlag) => boolean): Record<string, EvaluationResult> {
    const out: Record<string, EvaluationResult> = {};
    for (const flag of this.#flags.values()) {
      if (include && !include(flag)) continue;
      out[flag.key] = evaluateOne(flag, flag.key, ctx, undefined);
    }
    return out;
  }
}

/** Stands in for a flag until its first evaluation; anyone holding it keeps working after. */
function lazyFlag(def: FlagDefinition, compile: () => CompiledFlag): CompiledFlag {
  let compiled: CompiledFlag | undefined;
  return {
    key: def.key,
    kind: def.kind,
    clientVisible: def.clientVisible === true,
    evaluate(ctx, depth, memo) {
      compiled ??= compile();
      return compiled.evaluate(ctx, depth, memo);
    },
  };
}

function compileOne(
  def: FlagDefinition,
  cycle: string | undefined,
  segments: Parameters<typeof compileFlag>[1],
  segmentErrors: Map<string, string>,
  lookup: (key: string) => CompiledFlag | undefined,
): CompiledFlag {
  try {
    if (cycle) throw new CompileError(`prerequisite cycle ${cycle}`);
    return compileFlag(def, segments, lookup);
  } catch (e) {
    let message = e instanceof Error ? e.message : String(e);
    for (const [key, why] of segmentErrors) if (message.includes(`"${key}"`)) message = `segment "${key}": ${why}`;
    return brokenFlag(def, `flag "${def.key}": ${message}`);
  }
}

/**
 * A flag whose answer depends on the context. Kept out of `evaluate`, so that stays small enough
 * for V8 to inline into callers; and cheaper than evaluateOne (which it falls back to for errors):
 * the Slot's checks are monomorphic, so this holds its speed in a process evaluating many flags.
 */
function evaluateSlot(slot: Slot, key: string, ctx: EvaluationContext, defaultValue: JsonValue | undefined): EvaluationResult {
  const flag = slot.flag;
  if (
    flag !== undefined &&
    typeof ctx === 'object' &&
    ctx !== null &&
    !Array.isArray(ctx) &&
    (defaultValue === undefined || typeof defaultValue === slot.defaultType)
  ) {
    try {
      const result = flag.evaluate(ctx);
      if (result.reason !== 'ERROR') return result;
    } catch {
      // evaluateOne reports it
    }
  }
  return evaluateOne(flag, key, ctx, defaultValue);
}

function evaluateOne(
  flag: CompiledFlag | undefined,
  key: string,
  ctx: EvaluationContext,
  defaultValue: JsonValue | undefined,
): EvaluationResult {
  const fallback = defaultValue === undefined ? null : defaultValue;
  if (!flag) return errorResult(key, 'FLAG_NOT_FOUND', `flag "${key}" not found`, fallback);
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    return errorResult(key, 'INVALID_CONTEXT', 'context must be an object', fallback);
  }
  const type: string | undefined = DEFAULT_TYPE[flag.kind];
  if (defaultValue !== undefined && type !== undefined && typeof defaultValue !== type) {
    return errorResult(key, 'TYPE_MISMATCH', `flag "${key}" is ${flag.kind}, default is ${typeof defaultValue}`, fallback);
  }
  let result: EvaluationResult;
  try {
    result = flag.constant ?? flag.evaluate(ctx);
  } catch (e) {
    return errorResult(key, 'GENERAL', e instanceof Error ? e.message : String(e), fallback);
  }
  return result.reason === 'ERROR' && result.value !== fallback ? { ...result, value: fallback } : result;
}

/** Flags on a prerequisite cycle, each with the cycle spelled out (`a → b → a`). */
export function findPrerequisiteCycles(flags: readonly FlagDefinition[]): Map<string, string> {
  const edges = new Map(flags.map((f) => [f.key, (f.prerequisites ?? []).map((p) => p.flag)]));
  const state = new Map<string, 'open' | 'done'>();
  const found = new Map<string, string>();
  const path: string[] = [];
  const visit = (key: string): void => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'open') {
      const loop = path.slice(path.indexOf(key));
      const spelled = [...loop, key].join(' → ');
      for (const k of loop) if (!found.has(k)) found.set(k, spelled);
      return;
    }
    state.set(key, 'open');
    path.push(key);
    for (const next of edges.get(key) ?? []) if (edges.has(next)) visit(next);
    path.pop();
    state.set(key, 'done');
  };
  for (const key of edges.keys()) visit(key);
  return found;
}
