import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

/** The one error type routes throw: a status, a stable machine code, and what to fix. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}

export function envelope(code: string, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Every failure leaves through here, so clients see one JSON shape. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) return c.json(envelope(err.code, err.message, err.details), err.status);
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? 'payload_too_large' : 'http_error';
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
