import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

/**
 * The closed set of error codes, each with the one status it is sent with. Clients switch on
 * the code; the OpenAPI document lists the set. Status convention: 400 malformed, 413 too large,
 * 415 wrong content type, 422 valid JSON refused by a rule, 409 conflict, 428 precondition
 * required, 429 limited.
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
  payload_too_large: 413,
  snapshot_too_large: 413,
  unsupported_media_type: 415,
  rule_violation: 422,
  idempotency_key_reused: 422,
  version_required: 428,
  rate_limited: 429,
  stream_limit: 429,
  stream_required: 426,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The one error type routes throw: a status, a stable machine code, and what to fix. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function envelope(code: ErrorCode, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Every failure leaves through here, so clients see one JSON shape. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) return c.json(envelope(err.code, err.message, err.details), err.status);
  if (err instanceof HTTPException) {
    const code: ErrorCode = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_request';
    return c.json(envelope(code, err.message || 'request refused'), err.status as ContentfulStatusCode);
  }
  console.error('unhandled', err);
  return c.json(envelope('internal', 'internal error'), 500);
};

/** zod issues as `path: message` lines the admin app can put next to the field. */
export function validationError(error: ZodError, where = 'body'): ApiError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const message = first ? `${where}${first.path ? `.${first.path}` : ''}: ${first.message}` : `invalid ${where}`;
  return new ApiError(400, 'invalid_request', message, { issues });
}

/** Hook for @hono/zod-openapi: validation failures use the same envelope as everything else. */
export function validationHook(result: { success: boolean; error?: ZodError; target?: string }, _c: Context): void {
  if (!result.success && result.error) throw validationError(result.error, result.target ?? 'body');
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
