import type { JsonValue } from '@edgeflags/core';
import { decodeFlagsHeader, FLAGS_HEADER } from './flags-header.ts';
import type { EvaluatePayload, WireContext, WireResult } from './types.ts';

/** What server code sees of the flags the middleware evaluated for this request. */
export interface RequestFlags {
  /**
   * Exactly the `POST /sdk/v1/evaluate` response, client-visible flags only: safe to render
   * into HTML as `<FlagProvider bootstrap={flags.bootstrap}>` so the first paint needs no request.
   */
  readonly bootstrap: EvaluatePayload;
  /**
   * The context the middleware evaluated (with the user id or the sticky anonymous id as
   * `targetingKey`). Give it to `<FlagProvider context>` so the browser's re-evaluations (stream
   * updates) agree with the bootstrap; it is rendered into the HTML, so the middleware's
   * `context` should hold only attributes the visitor may see.
   */
  readonly context: WireContext;
  readonly targetingKey: string | undefined;
  /** Evaluated flags under a live release plan (server-only ones included): `withFlags` records outcomes for these. */
  readonly tracked: readonly string[];
  /** False when the middleware had no snapshot (Worker unreachable on a cold start, or it did not run): every read is a default. */
  readonly evaluated: boolean;
  /** One result, including server-only flags (never put those in the bootstrap). */
  get(key: string): WireResult | undefined;
  /** The flag's value, or `fallback` when it is missing, errored or of another type. */
  value<T extends JsonValue>(key: string, fallback: T): T;
  /** Shorthand for boolean flags. */
  isEnabled(key: string, fallback?: boolean): boolean;
  variant(key: string): string | undefined;
}

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Core's rule for a caller's default (`FlagSnapshot.evaluate`: TYPE_MISMATCH unless the default's
 * `typeof` is the flag kind's), applied to a served value: a boolean, string or number flag's
 * values have its kind's type, a JSON flag's are objects or arrays. A `null` value is an error's.
 */
function fits(value: JsonValue, fallback: JsonValue): boolean {
  return value !== null && typeof value === typeof fallback;
}

/**
 * Reads the flags the middleware passed in the `x-edgeflags` request header. Pure and
 * synchronous, so it works with `await headers()`, a Route Handler's `request.headers` and
 * `getServerSideProps`'s `req.headers` (wrapped in `new Headers`). Never throws.
 *
 * Only trust it on routes the middleware matcher covers: the middleware strips a client-sent
 * `x-edgeflags`, but on a route it does not run for, the header is whatever the client sent.
 */
export function readFlags(headers: HeaderSource): RequestFlags {
  let raw: string | null = null;
  try {
    raw = headers.get(FLAGS_HEADER);
  } catch {}
  const { bootstrap, serverOnly, context, tracked } = decodeFlagsHeader(raw);
  const get = (key: string): WireResult | undefined =>
    Object.hasOwn(bootstrap.flags, key) ? bootstrap.flags[key] : Object.hasOwn(serverOnly, key) ? serverOnly[key] : undefined;
  const value = <T extends JsonValue>(key: string, fallback: T): T => {
    const r = get(key);
    return r && r.reason !== 'ERROR' && fits(r.value, fallback) ? (r.value as T) : fallback;
  };
  return {
    bootstrap,
    context,
    targetingKey: typeof context.targetingKey === 'string' ? context.targetingKey : undefined,
    tracked,
    evaluated: bootstrap.environment !== '',
    get,
    value,
    isEnabled: (key, fallback = false) => value(key, fallback),
    variant: (key) => get(key)?.variant,
  };
}
