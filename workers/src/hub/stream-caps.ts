// How many streams one hub accepts. SSE streams keep the object awake and in memory, and even
// hibernated WebSockets cost a broadcast send each, so no single key, caller or environment may
// take them all: a public client key is in every browser, so one caller of it is bounded too.

import { envelope } from '../errors.ts';
import type { ClientKind } from './messages.ts';

/** Who holds a stream: the SDK key (or admin token) id and the caller's address, if known. */
export interface StreamOwner {
  keyId: string;
  caller: string;
}

export interface StreamCaps {
  perEnvironment: number;
  perKey: number;
  /** Only for public kinds (browsers, OFREP web providers); servers share addresses behind NAT. */
  perCaller: number;
}

export const DEFAULT_STREAM_CAPS: StreamCaps = { perEnvironment: 25_000, perKey: 10_000, perCaller: 50 };

interface CapVars {
  STREAM_CAP_PER_ENVIRONMENT?: string;
  STREAM_CAP_PER_KEY?: string;
  STREAM_CAP_PER_CALLER?: string;
}

/** Caps from the Worker's vars, falling back to the defaults for anything unset or not a positive integer. */
export function streamCaps(vars: CapVars): StreamCaps {
  const read = (raw: string | undefined, fallback: number) => {
    const n = Number(raw);
    return raw !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  return {
    perEnvironment: read(vars.STREAM_CAP_PER_ENVIRONMENT, DEFAULT_STREAM_CAPS.perEnvironment),
    perKey: read(vars.STREAM_CAP_PER_KEY, DEFAULT_STREAM_CAPS.perKey),
    perCaller: read(vars.STREAM_CAP_PER_CALLER, DEFAULT_STREAM_CAPS.perCaller),
  };
}

export interface StreamCounts {
  environment: number;
  key: number;
  caller: number;
}

const isPublicKind = (kind: ClientKind) => kind === 'client' || kind === 'ofrep';

/** A 429 `stream_limit` naming the cap reached, or undefined when one more stream fits. */
export function capRefusal(kind: ClientKind, owner: StreamOwner, counts: StreamCounts, caps: StreamCaps): Response | undefined {
  let message: string | undefined;
  if (counts.environment >= caps.perEnvironment) {
    message = `this environment holds ${counts.environment} streams, its cap of ${caps.perEnvironment}; retry later`;
  } else if (counts.key >= caps.perKey) {
    message = `this key holds ${counts.key} streams, its cap of ${caps.perKey}; close some or use another key`;
  } else if (isPublicKind(kind) && owner.caller && counts.caller >= caps.perCaller) {
    message = `this caller holds ${counts.caller} streams for this key, its cap of ${caps.perCaller}; close some`;
  }
  if (!message) return undefined;
  return Response.json(envelope('stream_limit', message), { status: 429, headers: { 'Retry-After': '60' } });
}

/** The owner the Worker names in forwarded headers (it authenticated; the hub trusts it). */
export function readStreamOwner(request: Request): StreamOwner & { expiresAt: number | undefined } {
  const expires = Number(request.headers.get('X-Edgeflags-Key-Expires') ?? Number.NaN);
  return {
    keyId: (request.headers.get('X-Edgeflags-Key-Id') ?? '').slice(0, 128),
    caller: (request.headers.get('X-Edgeflags-Caller') ?? '').slice(0, 64),
    expiresAt: Number.isSafeInteger(expires) && expires > 0 ? expires : undefined,
  };
}

/** WebSocket tags: counted with `getWebSockets(tag)` without waking attachments. */
export const keyTag = (keyId: string) => `key:${keyId}`;
export const callerTag = (keyId: string, caller: string) => `caller:${keyId}:${caller}`;
