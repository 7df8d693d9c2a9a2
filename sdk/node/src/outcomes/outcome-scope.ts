import { AsyncLocalStorage } from 'node:async_hooks';
import type { EvaluationContext } from '@edgeflags/core';
import { addEvent, type EventTotals, validEventName } from './outcome-table.ts';

/** More tracked flags than this in one request is not a release: the rest are not attributed. */
const MAX_FLAGS_PER_UNIT = 64;

/**
 * One unit of work (a request, a job): which tracked flags served which variant in it, and the
 * business events it recorded. Its outcome (duration, failed or not) counts once for each.
 */
export class OutcomeUnit {
  readonly started = performance.now();
  readonly flags: string[] = [];
  readonly variants: string[] = [];
  events: EventTotals | undefined = undefined;
  /** Events refused: past 20 names, or a name the edge refuses. */
  refused = 0;

  /** The first variant a flag served in the unit is the one its outcome counts for. */
  note(flag: string, variant: string): void {
    if (this.flags.length < MAX_FLAGS_PER_UNIT && !this.flags.includes(flag)) {
      this.flags.push(flag);
      this.variants.push(variant);
    }
  }

  track(name: string, value: number): void {
    this.events ??= new Map();
    if (!validEventName(name) || !addEvent(this.events, name, 1, value)) this.refused++;
  }
}

interface Scope {
  unit: OutcomeUnit;
  /** The context evaluations in the scope use when they are given none (`run(ctx, fn)`). */
  context: EvaluationContext | undefined;
}

type Finish = (unit: OutcomeUnit, failed: boolean) => void;

interface NodeResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  writeHead(...args: never[]): unknown;
}

const isNodeResponse = (res: unknown): res is NodeResponse =>
  typeof res === 'object' &&
  res !== null &&
  typeof (res as NodeResponse).once === 'function' &&
  typeof (res as NodeResponse).writeHead === 'function';
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
/** A fetch-style handler's answer that is a server error counts as a failure, as a thrown one does. */
const isServerError = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as Response).status === 'number' && (v as Response).status >= 500;

/**
 * Request scopes on AsyncLocalStorage, so an evaluation deep inside a handler knows which unit
 * it belongs to without being passed anything. A scope opened inside another joins it: the
 * outermost operation (the request) is the unit whose outcome counts, once.
 */
export class OutcomeScopes {
  readonly #storage = new AsyncLocalStorage<Scope>();
  /** Set once any scope carried a context: until then a context-less evaluation skips the lookup. */
  contextual = false;

  readonly finish: Finish;

  constructor(finish: Finish) {
    this.finish = finish;
  }

  /** The unit of the running scope, if any (the hot path for tracked flags). */
  unit(): OutcomeUnit | undefined {
    return this.#storage.getStore()?.unit;
  }

  context(): EvaluationContext | undefined {
    return this.#storage.getStore()?.context;
  }

  /** Runs `fn` as a unit (or inside the enclosing one); its duration and throw/rejection are the outcome. */
  run<R>(context: EvaluationContext | undefined, fn: () => R, failedBy?: (result: unknown) => boolean): R {
    if (context !== undefined) this.contextual = true;
    const parent = this.#storage.getStore();
    if (parent !== undefined) return context === undefined ? fn() : this.#storage.run({ unit: parent.unit, context }, fn);
    const unit = new OutcomeUnit();
    let result: R;
    try {
      result = this.#storage.run({ unit, context }, fn);
    } catch (e) {
      this.finish(unit, true);
      throw e;
    }
    if (!isThenable(result)) {
      this.finish(unit, failedBy?.(result) === true);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.finish(unit, failedBy?.(value) === true);
        return value;
      },
      (e: unknown) => {
        this.finish(unit, true);
        throw e;
      },
    ) as R;
  }

  /**
   * Wraps a Node `(req, res)` handler (http, Express, Fastify's raw) or a fetch-style
   * `(request) => Response` one. Node: the unit ends when the response finishes or the
   * connection closes, and fails on a throw, a rejection or a 5xx status. Fetch: it ends when
   * the returned Response (or promise) settles, and fails on a throw, a rejection or a 5xx.
   */
  // biome-ignore lint/suspicious/noExplicitAny: `any` parameters let a handler keep the types its server gives it
  wrap<F extends (...args: any[]) => unknown>(handler: F): F {
    const scopes = this;
    return function wrapped(this: unknown, ...args: Parameters<F>): unknown {
      const res = args[1] as unknown;
      if (!isNodeResponse(res)) return scopes.run(undefined, () => handler.apply(this, args), isServerError);
      if (scopes.#storage.getStore() !== undefined) return handler.apply(this, args);
      const unit = new OutcomeUnit();
      let thrown = false;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        scopes.finish(unit, thrown || res.statusCode >= 500);
      };
      res.once('finish', end);
      res.once('close', end);
      let result: unknown;
      try {
        result = scopes.#storage.run({ unit, context: undefined }, () => handler.apply(this, args));
      } catch (e) {
        thrown = true;
        end();
        throw e;
      }
      // A side branch that settles quietly: the caller still gets (and must handle) the original promise.
      if (isThenable(result))
        result.then(undefined, () => {
          thrown = true;
          end();
        });
      return result;
    } as F;
  }
}
