import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../errors.ts';

/** The one error envelope; `code` is the closed set from errors.ts, so clients can switch on it. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string().openapi({ description: 'What went wrong and what to change, for a person' }),
      details: z.unknown().optional().openapi({ description: 'e.g. { issues: [{ path, message }] } or { currentVersion }' }),
    }),
  })
  .openapi('Error');

const MEANING: Record<number, string> = {
  400: 'Malformed: not JSON, or not the shape this route takes',
  401: 'Missing, unknown or revoked admin token',
  403: 'Role or production access not allowed',
  404: 'Not found',
  409: 'Conflict: stale version, or it already exists or is in use',
  413: 'Too large (the message names the limit)',
  415: 'Not JSON: send Content-Type: application/json',
  422: 'Well-formed, but refused by a rule (unknown variant or segment, cycle, …)',
  428: 'Precondition required: send the version you edited',
  500: 'Internal error',
};

/** One error response: what the status means and which codes of the closed set it carries. */
function errorResponse(status: number) {
  const codes = ERROR_CODES.filter((c) => ERROR_STATUS[c] === status);
  return {
    description: `${MEANING[status] ?? 'Error'}. Codes: ${codes.join(', ')}`,
    content: { 'application/json': { schema: ErrorBody } },
  };
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

/** A route's responses: its 200 answer (`schema` types both the document and `c.json`) and the errors. */
export const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: errorResponse(400),
  401: errorResponse(401),
  403: errorResponse(403),
  404: errorResponse(404),
  500: errorResponse(500),
});

/** Statuses every write can answer whatever the route (request-body.ts, versions, rules). */
export const WRITE_ERROR_STATUSES = [409, 413, 415, 422, 428] as const;

/** Adds the write statuses to every non-GET operation, so no route has to remember them. */
export function documentWriteErrors(registry: InstanceType<typeof OpenAPIHono>['openAPIRegistry']): void {
  for (const def of registry.definitions) {
    if (def.type !== 'route' || def.route.method === 'get') continue;
    const responses = def.route.responses as Record<number, unknown>;
    for (const status of WRITE_ERROR_STATUSES) responses[status] ??= errorResponse(status);
  }
}

export const security = [{ adminToken: [] }];
