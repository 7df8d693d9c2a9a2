import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { isDatabaseUnavailable } from './d1-unavailable.ts';

/**
 * The closed set of error codes, each with the one status it is sent with. Clients switch on
 * the code; the OpenAPI document lists the set. Status convention: 400 malformed, 413 too large,
 * 415 wrong content type, 422 valid JSON refused by a rule, 409 conflict, 428 precondition
 * required, 429 limited.
 *
 * 400 or 422: a body that fails its route's request schema, judged from the body alone (types,
 * missing or unknown fields, lengths, formats, a regex that does not compile, nesting depth,
 * reserved keys) is 400 `invalid_request`. A body that is well formed but would produce a
 * configuration the service refuses — judged against what is stored: unknown variants, values
 * of the wrong kind, missing segments or prerequisite flags, cycles, segments naming segments —
 * is 422 `rule_violation`.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  version_conflict: 409,
  in_use: 409,
  idempotency_conflict: 409,
  // A flag under a live release plan is changed by its conductor only (pause, abort or roll back first).
  release_in_progress: 409,
  payload_too_large: 413,
  snapshot_too_large: 413,
  unsupported_media_type: 415,
  rule_violation: 422,
  // The environment reviews flag-config writes: propose it as a change request (docs/change-requests.md).
  review_required: 422,
  idempotency_key_reused: 422,
  version_required: 428,
  rate_limited: 429,
  stream_limit: 429,
  // A stream URL opened as plain HTTP is a malformed request; 426 would promise an Upgrade header.
  stream_required: 400,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** A status and a code that belong together: `new ApiError(409, 'invalid_json', …)` does not compile. */
type StatusAndCode = { [C in ErrorCode]: [status: (typeof ERROR_STATUS)[C], code: C] }[ErrorCode];

/** The one error type routes throw: a status, a stable machine code, and what to fix. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(...[status, code, message, details]: [...StatusAndCode, message: string, details?: unknown]) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The error for `code`, with the status the set gives it (for re-throwing with a new message). */
  static of(code: ErrorCode, message: string, details?: unknown): ApiError {
    return new ApiError(...([ERROR_STATUS[code], code] as StatusAndCode), message, details);
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function envelope(code: ErrorCode, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Every failure leaves through here, so clients see one JSON shape (OFREP: its own, plus ours). */
export const onError: ErrorHandler = (err, c) => {
  const error = toApiError(err);
  const path = new URL(c.req.url).pathname;
  if (path.startsWith('/ofrep/')) return c.json(ofrepError(path, error), error.status);
  return c.json(envelope(error.code, error.message, error.details), error.status);
};

/** Hono's own exceptions (validator, media-type gate, body limit) mapped into the closed set. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isDatabaseUnavailable(err)) {
    console.warn('D1 unavailable', err);
    return new ApiError(
      503,
      'unavailable',
      'the database is unavailable, so nothing was acknowledged; SDKs keep serving the last snapshot. Retry shortly (with the same Idempotency-Key, if you sent one)',
    );
  }
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) return new ApiError(400, 'invalid_json', 'body is not valid JSON');
    if (err.status === 415)
      return new ApiError(415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json');
    if (err.status === 413) return new ApiError(413, 'payload_too_large', err.message || 'body too large');
    const code = ERROR_CODES.find((k) => k !== 'invalid_json' && ERROR_STATUS[k] === err.status);
    if (code) return ApiError.of(code, err.message || 'request refused');
  }
  console.error('unhandled', err);
  return new ApiError(500, 'internal', 'internal error');
}

// OFREP (open-feature/protocol service/openapi.yaml) mandates `{ key, errorCode, errorDetails }`
// for a bad evaluation request and `{ errorDetails }` for a 500; its objects allow more fields,
// so our envelope rides along and every route still answers a code from the closed set.
const OFREP_CODE: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'PARSE_ERROR',
  invalid_request: 'INVALID_CONTEXT',
  not_found: 'FLAG_NOT_FOUND',
};

function ofrepError(path: string, error: ApiError) {
  const key = /^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/.exec(path)?.[1];
  return {
    ...(key === undefined ? {} : { key: safeDecode(key) }),
    errorCode: OFREP_CODE[error.code] ?? 'GENERAL',
    errorDetails: error.message,
    ...envelope(error.code, error.message, error.details),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** zod issues as `path: message` lines the admin app can put next to the field. */
export function validationError(error: ZodError, where = 'body'): ApiError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const message = first ? `${where}${first.path ? `.${first.path}` : ''}: ${first.message}` : `invalid ${where}`;
  return new ApiError(400, 'invalid_request', message, { issues });
}

/** The same `path: message` detail for a well-formed body refused by a rule (see ERROR_STATUS). */
export function ruleViolation(error: ZodError, where = 'body'): ApiError {
  const { message, details } = validationError(error, where);
  return new ApiError(422, 'rule_violation', message, details);
}

/** Hook for @hono/zod-openapi: validation failures use the same envelope as everything else. */
export function validationHook(result: { success: boolean; error?: ZodError; target?: string }, _c: Context): void {
  if (!result.success && result.error) throw validationError(result.error, result.target ?? 'body');
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
