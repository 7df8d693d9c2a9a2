import type { EvaluationContext, EvaluationResult } from '@edgeflags/core';
import type { EvaluatePayload, WireContext, WireResult } from './types.ts';

/** Request header the middleware writes and server components read. */
export const FLAGS_HEADER = 'x-edgeflags';
/** Request header marking the middleware's own rewrite, for the pass Next runs on its destination. */
export const PASS_HEADER = 'x-edgeflags-pass';

/**
 * Bound on the encoded header. Headers travel between the proxy and the renderer (across the
 * network on some hosts) where 8–16 KB for all headers is a common limit; past this the
 * server-only flags are dropped first, then everything (server components see defaults).
 */
export const MAX_HEADER_CHARS = 8 * 1024;

/** Compact form of a result: `[value, reason, variant?, errorCode?]`. */
type Packed = [WireResult['value'], WireResult['reason'], string?, string?];

interface HeaderBody {
  /** environment, version, and the context the flags were evaluated for */
  e: string;
  v: number;
  c: EvaluationContext;
  /** client-visible flags: the only ones that may reach the browser */
  f: Record<string, Packed>;
  /** server-only flags: readable by server components, never in the bootstrap */
  p?: Record<string, Packed>;
  /** flags whose exposure the middleware reported (the browser does not report them again) */
  x?: string[];
  /** evaluated flags under a live release plan: route handlers and pages record outcomes for these */
  t?: string[];
}

export interface HeaderInput {
  environment: string;
  version: number;
  context: EvaluationContext;
  results: Record<string, EvaluationResult>;
  isClientVisible: (key: string) => boolean;
  /** Flags whose exposure the middleware reports for this request. */
  exposed?: string[];
  /** The snapshot's flags under a live release plan. */
  tracked?: readonly string[];
}

/** Decoded header: the browser-safe bootstrap plus the server-only results. */
export interface DecodedFlags {
  bootstrap: EvaluatePayload;
  serverOnly: Record<string, WireResult>;
  context: WireContext;
  /** Evaluated flags under a live release plan, server-only ones included. */
  tracked: readonly string[];
}

function pack(r: EvaluationResult): Packed {
  const p: Packed = [r.value, r.reason];
  if (r.variant !== undefined || r.errorCode !== undefined) p.push(r.variant ?? '');
  if (r.errorCode !== undefined) p.push(r.errorCode);
  return p;
}

function unpack(p: unknown): WireResult | undefined {
  if (!Array.isArray(p) || p.length < 2 || typeof p[1] !== 'string') return undefined;
  const w: WireResult = { value: p[0] ?? null, reason: p[1] as WireResult['reason'] };
  if (typeof p[2] === 'string' && p[2] !== '') w.variant = p[2];
  if (typeof p[3] === 'string') w.errorCode = p[3] as WireResult['errorCode'];
  return w;
}

/** Header values must be ASCII on every hop, so non-ASCII is escaped (still valid JSON). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Encodes evaluated flags for the `x-edgeflags` request header; `undefined` when too large. */
export function encodeFlagsHeader(input: HeaderInput): string | undefined {
  const body: HeaderBody = { e: input.environment, v: input.version, c: input.context, f: {} };
  const exposed = input.exposed?.filter((key) => key in input.results && input.isClientVisible(key));
  if (exposed?.length) body.x = exposed;
  const tracked = input.tracked?.filter((key) => key in input.results);
  if (tracked?.length) body.t = tracked;
  const serverOnly: Record<string, Packed> = {};
  let anyServerOnly = false;
  for (const key in input.results) {
    const packed = pack(input.results[key]!);
    if (input.isClientVisible(key)) body.f[key] = packed;
    else {
      serverOnly[key] = packed;
      anyServerOnly = true;
    }
  }
  if (anyServerOnly) body.p = serverOnly;
  let encoded = asciiJson(body);
  if (encoded.length > MAX_HEADER_CHARS && body.p) {
    delete body.p;
    encoded = asciiJson(body);
  }
  return encoded.length > MAX_HEADER_CHARS ? undefined : encoded;
}

const EMPTY: DecodedFlags = Object.freeze({
  bootstrap: Object.freeze({ environment: '', version: 0, flags: Object.freeze({}) }) as EvaluatePayload,
  serverOnly: Object.freeze({}) as Record<string, WireResult>,
  context: Object.freeze({}) as WireContext,
  tracked: Object.freeze([]) as readonly string[],
});

function unpackAll(packed: unknown): Record<string, WireResult> {
  const out: Record<string, WireResult> = {};
  if (typeof packed !== 'object' || packed === null) return out;
  for (const [key, p] of Object.entries(packed)) {
    const w = unpack(p);
    if (w) out[key] = w;
  }
  return out;
}

/** Decodes the header; anything missing or malformed reads as "no flags" (defaults), never throws. */
export function decodeFlagsHeader(raw: string | null | undefined): DecodedFlags {
  if (!raw) return EMPTY;
  let body: Partial<HeaderBody>;
  try {
    body = JSON.parse(raw);
  } catch {
    return EMPTY;
  }
  if (typeof body !== 'object' || body === null || typeof body.e !== 'string' || typeof body.v !== 'number') return EMPTY;
  const flags = unpackAll(body.f);
  const exposed = Array.isArray(body.x) ? body.x.filter((k): k is string => typeof k === 'string' && Object.hasOwn(flags, k)) : [];
  const serverOnly = unpackAll(body.p);
  const tracked = Array.isArray(body.t)
    ? body.t.filter((k): k is string => typeof k === 'string' && (Object.hasOwn(flags, k) || Object.hasOwn(serverOnly, k)))
    : [];
  // The browser learns the client-visible ones, so its page outcomes count for the same plans.
  const trackedVisible = tracked.filter((k) => Object.hasOwn(flags, k));
  return {
    bootstrap: {
      environment: body.e,
      version: body.v,
      flags,
      ...(exposed.length > 0 && { exposed }),
      ...(trackedVisible.length > 0 && { tracked: trackedVisible }),
    },
    serverOnly,
    tracked,
    context: typeof body.c === 'object' && body.c !== null && !Array.isArray(body.c) ? (body.c as WireContext) : {},
  };
}
