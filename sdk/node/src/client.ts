import {
  type BooleanFlagKey,
  type CompiledFlag,
  compileSnapshot,
  type EvaluationContext,
  type EvaluationResult,
  type FlagKey,
  type FlagSnapshot,
  type JsonValue,
  type Snapshot,
  type ValueOf,
  type VariantOf,
} from '@edgeflags/core';
import { ExposureRecorder, type ExposureStats } from './exposures.ts';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { ClientOutcomes, trackedSet } from './outcomes/client-outcomes.ts';
import { OutcomeRecorder, type OutcomeStats } from './outcomes/outcome-recorder.ts';
import { readSnapshotFile, writeSnapshotFile } from './persistence.ts';
import { SnapshotSync } from './snapshot-sync.ts';
import { type AllFlags, toBootstrap } from './wire.ts';

/** The return type of `value()`: the registry's value type after typegen, else the fallback's type widened. */
export type ValueFor<K extends string, T> = [JsonValue] extends [ValueOf<K>] ? Widen<T> : ValueOf<K>;
type Widen<T> = T extends boolean ? boolean : T extends string ? string : T extends number ? number : T;

export type Details<K extends string> = Omit<EvaluationResult<ValueOf<K>>, 'variant'> & { variant?: VariantOf<K> };

export interface ChangeEvent {
  version: number;
  environment: string;
  from: 'poll' | 'stream';
}

export interface ClientStatus {
  /** Version of the snapshot being served; 0 before any. */
  version: number;
  environment: string | undefined;
  /** Where the served snapshot came from. */
  source: 'none' | 'bootstrap' | 'file' | 'poll' | 'stream';
  streaming: boolean;
  lastSyncAt: number | undefined;
  lastError: string | undefined;
  exposures: ExposureStats | undefined;
  /** Outcomes for flags under a release plan; undefined when off (offline, or `outcomes: false`). */
  outcomes: (OutcomeStats & { unattributed: number }) | undefined;
}

const EMPTY: EvaluationContext = Object.freeze({});
const isClientVisible = (f: CompiledFlag): boolean => f.clientVisible;

/**
 * The Node client. Evaluation is synchronous and local: it reads the in-memory snapshot, never
 * the network, never throws, and in the common case allocates nothing (results are the frozen
 * objects compiled with the snapshot). Keeping the snapshot fresh happens in the background.
 */
export class EdgeflagsClient {
  readonly #o: ResolvedOptions;
  #snap: FlagSnapshot | undefined;
  #etag: string | undefined;
  #source: ClientStatus['source'] = 'none';
  #bucketBy = new Map<string, string>();
  readonly #exposures: ExposureRecorder | undefined;
  readonly #outcomes: ClientOutcomes;
  /** Flags under a live release plan (`snapshot.tracked`); undefined when none, so others pay one check. */
  #tracked: Set<string> | undefined;
  readonly #sync: SnapshotSync | undefined;
  readonly #listeners = new Set<(e: ChangeEvent) => void>();
  readonly #loaded: Promise<void>;
  #markLoaded: () => void = () => {};
  readonly #readyWaiters = new Set<(loaded: boolean) => void>();
  #closed = false;

  constructor(options: ClientOptions = {}) {
    this.#o = resolveOptions(options);
    this.#loaded = new Promise((resolve) => {
      this.#markLoaded = resolve;
    });
    const { url, serverKey, fetch } = this.#o;
    const headers = { Authorization: `Bearer ${serverKey}`, 'Content-Type': 'application/json' };
    this.#outcomes = new ClientOutcomes(
      this.#o.outcomes
        ? new OutcomeRecorder(
            this.#o.outcomes,
            (body, signal) => fetch(`${url}/sdk/v1/metrics`, { method: 'POST', headers, body, signal }),
            this.#o.logger,
            this.#o.requestTimeoutMs,
          )
        : undefined,
    );
    this.#loadLocal();
    if (this.#o.offline) return;
    if (this.#o.exposures) {
      this.#exposures = new ExposureRecorder(
        this.#o.exposures,
        (flag) => this.#bucketBy.get(flag) ?? 'targetingKey',
        (body, signal) => fetch(`${url}/sdk/v1/events`, { method: 'POST', headers, body, signal }),
        this.#o.logger,
        this.#o.requestTimeoutMs,
      );
    }
    this.#sync = new SnapshotSync(this.#o, {
      current: () => ({ version: this.#snap?.version ?? 0, etag: this.#etag }),
      apply: (snapshot, etag, from) => this.#apply(snapshot, etag, from),
    });
    this.#sync.start();
  }

  /**
   * Resolves `true` once a snapshot is loaded (network, file or bootstrap), or `false` after
   * `readyTimeoutMs` or on `close()`; never rejects. Its timer keeps the process alive while
   * someone awaits it: with the edge unreachable nothing else may be pending, and a script's
   * top-level `await flags.ready()` would otherwise end the process (exit code 13) unresolved.
   */
  ready(): Promise<boolean> {
    if (this.#snap) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (loaded: boolean): void => {
        clearTimeout(timer);
        this.#readyWaiters.delete(settle);
        resolve(loaded);
      };
      const timer = setTimeout(() => settle(false), this.#o.readyTimeoutMs);
      this.#readyWaiters.add(settle);
      void this.#loaded.then(() => settle(true));
    });
  }

  // Every read below is one call of core's `FlagSnapshot.evaluate`, the evaluator the Worker and
  // every other SDK use: contexts, defaults and kinds are checked there and nowhere else, so an
  // answer here is the answer at the edge (the shared vectors run through these methods).

  /** True when the boolean flag serves `true` for this context; false on any error. */
  isEnabled<K extends BooleanFlagKey>(key: K, ctx?: EvaluationContext): boolean {
    const snap = this.#current();
    if (snap === undefined) return false;
    const c = ctx === undefined ? this.#scopeContext() : ctx;
    const r = snap.evaluate<boolean>(key, c, false);
    if (this.#exposures !== undefined) this.#exposures.record(r, c);
    if (this.#tracked?.has(key)) this.#outcomes.note(key, r);
    return r.value === true;
  }

  /** The variant name served to this context, or undefined on any error. */
  variant<K extends FlagKey>(key: K, ctx?: EvaluationContext): VariantOf<K> | undefined {
    const snap = this.#current();
    if (snap === undefined) return undefined;
    const c = ctx === undefined ? this.#scopeContext() : ctx;
    const r = snap.evaluate(key, c);
    if (this.#exposures !== undefined) this.#exposures.record(r, c);
    if (this.#tracked?.has(key)) this.#outcomes.note(key, r);
    return r.variant as VariantOf<K> | undefined;
  }

  /** The flag's value for this context; `fallback` on any error or when the kinds differ. */
  value<K extends FlagKey, T extends ValueOf<K>>(key: K, ctx: EvaluationContext | undefined, fallback: T): ValueFor<K, T> {
    const snap = this.#current();
    if (snap === undefined) return fallback as ValueFor<K, T>;
    const c = ctx === undefined ? this.#scopeContext() : ctx;
    const r = snap.evaluate(key, c, fallback);
    if (this.#exposures !== undefined) this.#exposures.record(r, c);
    if (this.#tracked?.has(key)) this.#outcomes.note(key, r);
    return r.value as ValueFor<K, T>;
  }

  /** Value, variant and reason (and an OpenFeature error code on errors), for logs and providers. */
  evaluate<K extends FlagKey>(key: K, ctx?: EvaluationContext, fallback?: ValueOf<K>): Details<K> {
    const snap = this.#current();
    if (snap === undefined) {
      const value = (fallback ?? null) as ValueOf<K>;
      return { key, value, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: 'no snapshot loaded yet' };
    }
    const c = ctx === undefined ? this.#scopeContext() : ctx;
    const r = fallback === undefined ? snap.evaluate(key, c) : snap.evaluate(key, c, fallback);
    if (this.#exposures !== undefined) this.#exposures.record(r, c);
    if (this.#tracked?.has(key)) this.#outcomes.note(key, r);
    return r as Details<K>;
  }

  /**
   * Every flag evaluated for one context, in the shape of the Worker's `POST /sdk/v1/evaluate`:
   * the bootstrap payload for @edgeflags/browser and @edgeflags/react. It goes to a browser, so
   * only client-visible flags are included unless `clientVisibleOnly: false`.
   */
  allFlags(ctx?: EvaluationContext, options: { clientVisibleOnly?: boolean } = {}): AllFlags {
    const snap = this.#current();
    if (snap === undefined) return { environment: '', version: 0, flags: {} };
    try {
      return toBootstrap(
        snap,
        snap.evaluateAll(ctx === undefined ? EMPTY : ctx, options.clientVisibleOnly === false ? undefined : isClientVisible),
      );
    } catch {
      return { environment: snap.environment, version: snap.version, flags: {} };
    }
  }

  /**
   * Runs `fn` as one unit of outcome (a job, a queue message): its duration and whether it threw
   * or rejected count for each flag under a release plan evaluated inside, for the variant it
   * served. Evaluations inside that pass no context use `ctx`. Returns what `fn` returns; its
   * errors reach the caller unchanged. Inside another scope it joins that one.
   */
  run<R>(ctx: EvaluationContext | undefined, fn: () => R): R {
    return this.#outcomes.scopes.run(ctx, fn);
  }

  /** `run(undefined, fn)`: measures any function, sync or async. */
  measure<R>(fn: () => R): R {
    return this.#outcomes.scopes.run(undefined, fn);
  }

  /**
   * Wraps a request handler, Node's `(req, res)` or fetch-style `(request) => Response`: each
   * call is one unit whose duration, throw/rejection or 5xx status counts for the tracked flags
   * it evaluated. @example http.createServer(flags.wrap((req, res) => { … }))
   */
  // biome-ignore lint/suspicious/noExplicitAny: `any` parameters let a handler keep the types its server gives it
  wrap<F extends (...args: any[]) => unknown>(handler: F): F {
    return this.#outcomes.scopes.wrap(handler);
  }

  /**
   * Records a named business event (`invoice-created`, optional value) for the current scope's
   * tracked flags. Outside a scope, `ctx` attributes it to the variants that context is served.
   * Never throws; without a scope or a context it is counted as unattributed.
   */
  track(name: string, value?: number, ctx?: EvaluationContext): void {
    try {
      this.#outcomes.track(name, value, ctx, this.#snap, this.#tracked);
    } catch (e) {
      this.#o.logger.error('edgeflags: track failed', e);
    }
  }

  /** Version of the snapshot being served; 0 until one is loaded. Cheap: read it per request if needed. */
  get version(): number {
    return this.#snap?.version ?? 0;
  }

  /** Called after each new snapshot is swapped in; returns an unsubscribe function. */
  onChange(listener: (e: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forces one conditional GET now (e.g. before a deploy check). Resolves whether it succeeded. */
  refresh(): Promise<boolean> {
    return this.#sync?.poll() ?? Promise.resolve(false);
  }

  status(): ClientStatus {
    const s = this.#sync?.status;
    return {
      version: this.#snap?.version ?? 0,
      environment: this.#snap?.environment,
      source: this.#source,
      streaming: s?.streaming ?? false,
      lastSyncAt: s?.lastSyncAt,
      lastError: s?.lastError,
      exposures: this.#exposures?.stats(),
      outcomes: this.#outcomes.stats(),
    };
  }

  /** Stops polling and streaming and flushes exposures (for at most `timeoutMs`). Evaluation keeps working. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const settle of this.#readyWaiters) settle(false);
    this.#sync?.close();
    await Promise.all([this.#exposures?.close(timeoutMs), this.#outcomes.close(timeoutMs)]);
  }

  /** A context-less evaluation inside `run(ctx, fn)` uses `ctx`; until any scope had one, no lookup at all. */
  #scopeContext(): EvaluationContext {
    return (this.#outcomes.scopes.contextual && this.#outcomes.scopes.context()) || EMPTY;
  }

  #loadLocal(): void {
    const file = this.#o.snapshotFile;
    if (file) {
      try {
        const saved = readSnapshotFile(file);
        if (saved && this.#swap(saved.snapshot, saved.etag, 'file')) return;
      } catch (e) {
        this.#o.logger.warn(`edgeflags: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.#o.snapshot) this.#swap(this.#o.snapshot, undefined, 'bootstrap');
  }

  #apply(snapshot: Snapshot, etag: string | undefined, from: 'poll' | 'stream'): boolean {
    if (this.#closed || !this.#swap(snapshot, etag, from)) return false;
    const file = this.#o.snapshotFile;
    if (file) {
      writeSnapshotFile(file, JSON.stringify(snapshot), etag).catch((e: unknown) => {
        this.#o.logger.warn(`edgeflags: cannot persist the snapshot to ${file}: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
    const event: ChangeEvent = { version: snapshot.version, environment: snapshot.environment, from };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (e) {
        this.#o.logger.error('edgeflags: an onChange listener threw', e);
      }
    }
    return true;
  }

  /**
   * The snapshot as it evaluates now: a switch carried in it applies at its instant here as at the
   * edge (core's `at`). Without a pending switch this is one comparison per evaluation.
   */
  #current(): FlagSnapshot | undefined {
    const snap = this.#snap;
    if (snap === undefined || snap.nextSwitchAt === undefined) return snap;
    this.#snap = snap.at(this.#o.now());
    return this.#snap;
  }

  /** Compiles first and swaps one reference, so an evaluation sees the old snapshot or the new, never half. */
  #swap(snapshot: Snapshot, etag: string | undefined, source: ClientStatus['source']): boolean {
    let compiled: FlagSnapshot;
    try {
      compiled = compileSnapshot(snapshot);
    } catch (e) {
      this.#o.logger.error(`edgeflags: snapshot v${snapshot.version} does not compile; keeping v${this.#snap?.version ?? 0}`, e);
      return false;
    }
    this.#bucketBy = new Map(snapshot.flags.map((f) => [f.key, f.bucketBy ?? 'targetingKey']));
    this.#tracked = trackedSet(snapshot.tracked, this.#outcomes.recording);
    this.#snap = compiled;
    this.#etag = etag;
    this.#source = source;
    this.#markLoaded();
    return true;
  }
}

/**
 * Starts syncing at once; evaluations before the first snapshot return fallbacks.
 * `await client.ready()` at start-up to wait (bounded by `readyTimeoutMs`).
 */
export function createClient(options: ClientOptions = {}): EdgeflagsClient {
  return new EdgeflagsClient(options);
}
