import type { BooleanFlagKey, FlagKey, FlagRegistry, JsonValue, ValueOf, VariantOf, WirePayload, WireResult } from '@edgeflags/core';

/** A flat set of attributes; `targetingKey` (alias `userId`) names the user. */
export type Context = Record<string, string | number | boolean | null | ReadonlyArray<string | number | boolean>>;

/** One pre-evaluated flag, exactly as `POST /sdk/v1/evaluate` returns it. */
export type FlagResult<V = JsonValue> = WireResult<V>;

/**
 * The body of `POST /sdk/v1/evaluate`. It is also the bootstrap format: a server renders with
 * it and hands the same object to `createClient({ bootstrap })`, so the first paint is correct.
 */
export type Payload = WirePayload;

/** The subset of `Storage` the client needs; `localStorage` by default in browsers. */
export type FlagStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface ClientOptions {
  /** Where the Worker runs, e.g. `https://flags.example.com`. */
  url: string;
  /** A public client key (`efc_…`) scoped to one environment. */
  clientKey: string;
  context?: Context;
  /** A payload a server already evaluated for this same context: no request before first paint. */
  bootstrap?: Payload;
  fetch?: typeof fetch;
  /** Where the last payload is remembered across page loads; `null` turns the cache off. */
  storage?: FlagStorage | null;
  /** Keep flags fresh with the change stream (default true where `EventSource` exists). */
  stream?: boolean;
  /** Report which variant each context received (default true). */
  exposures?: boolean;
  /** A request to the edge is abandoned after this long (default 5000 ms), so `ready()` resolves by then. */
  timeoutMs?: number;
}

/** Before typegen runs every key is a string, so the fallback's type is the answer's type. */
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
export type FlagValue<K extends string, T> = [keyof FlagRegistry] extends [never] ? Widen<T> : ValueOf<K>;

export interface FlagClient {
  /**
   * Resolves once the first evaluation settled (at once when bootstrapped), within `timeoutMs`:
   * `true` when flags are held (bootstrap, cache or the edge), `false` when every read answers
   * its fallback. Never rejects.
   */
  ready(): Promise<boolean>;
  /** True until values exist (bootstrap, cache or network) or the first evaluation settled. */
  readonly loading: boolean;
  /** A boolean flag's value; any other kind is enabled unless disabled or in error. */
  isEnabled(key: BooleanFlagKey | FlagKey): boolean;
  variant<K extends FlagKey>(key: K): VariantOf<K> | undefined;
  /** The flag's value, or `fallback` when it is missing, in error or of another type. */
  value<K extends FlagKey, T extends ValueOf<K>>(key: K, fallback: T): FlagValue<K, T>;
  result<K extends FlagKey>(key: K): FlagResult<ValueOf<K>> | undefined;
  /** Re-evaluates for a new context; resolves when the answer is applied (or failed). */
  setContext(context: Context): Promise<void>;
  /** Calls `listener` when `key` changes, or on any change without a key. */
  subscribe(listener: () => void, key?: FlagKey): () => void;
  /** The current payload (bootstrap format), read-only; reading it records no exposure. */
  snapshot(): Readonly<Payload> | undefined;
  close(): void;
}

/** One exposure as `POST /sdk/v1/events` takes it. */
export interface Exposure {
  flag: string;
  variant?: string;
  reason: string;
  contextKey: string;
  at: number;
}
