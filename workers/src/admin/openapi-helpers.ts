import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { requiredRoleOf } from '../auth/admin-auth.ts';
import { policyOf } from '../auth/route-policy.ts';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../errors.ts';
import { OPERATIONS, type Operation } from './api-operations.ts';

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
  429: 'Too many streams (Retry-After says when to retry)',
  500: 'Internal error',
  503: 'The database is unreachable right now; retry later',
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

/**
 * A route's responses: its 200 answer (`schema` types both the document and `c.json`) and the
 * error envelope for every status, so typed clients (AppType) can read any error. The document
 * keeps only the statuses the route can answer: `documentOperations` prunes the rest.
 */
export const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: errorResponse(400),
  401: errorResponse(401),
  403: errorResponse(403),
  404: errorResponse(404),
  409: errorResponse(409),
  413: errorResponse(413),
  415: errorResponse(415),
  422: errorResponse(422),
  428: errorResponse(428),
  500: errorResponse(500),
  503: errorResponse(503),
});

/** Statuses every write can answer whatever the route: request-body.ts (413, 415), idempotency (409, 422). */
export const WRITE_ERROR_STATUSES = [409, 413, 415, 422] as const;

interface RouteDef {
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
  middleware?: unknown;
  parameters?: unknown[];
  request?: { params?: unknown; query?: unknown; body?: { content: Record<string, { example?: unknown }> } };
  responses: Record<number, unknown>;
}

/** The error statuses a route can answer, from what it declares: role, effect (its handlers), path, version guard. */
export function errorStatuses(route: RouteDef, op: Operation | undefined): number[] {
  const middleware = [route.middleware ?? []].flat();
  const effect = middleware.map(policyOf).find(Boolean);
  const role = middleware.map(requiredRoleOf).find(Boolean);
  const write = route.method !== 'get';
  const statuses = [401, 500, 503];
  // Validated input (or If-Match, Idempotency-Key on writes) can be malformed.
  if (write || route.request?.params || route.request?.query) statuses.push(400);
  // A viewer passes every read at the viewer role; the `read` effect is a computation.
  if ((effect && effect !== 'read') || (role && role !== 'viewer')) statuses.push(403);
  // Only a route that looks a resource up by its path can miss it.
  if (route.path.includes('{')) statuses.push(404);
  if (write) statuses.push(...WRITE_ERROR_STATUSES);
  if (op?.guarded) statuses.push(428);
  if (op?.stream) statuses.push(429);
  return statuses.sort((a, b) => a - b);
}

const header = (name: string, description: string) => ({ in: 'header', name, required: false, schema: { type: 'string' }, description });
const IF_MATCH = header(
  'If-Match',
  'The version you edited, as returned in `version` and the ETag of GET /flags/{key}/environments/{env}: e.g. "3" (W/"3" and 3 are accepted). Or send `version` in the body or query.',
);
const IF_NONE_MATCH = header('If-None-Match', '`*` creates the segment and refuses (409) if it exists');
const IDEMPOTENCY_KEY = header(
  'Idempotency-Key',
  'Up to 255 visible ASCII characters; a retry with the same key and request gets the first answer again (Idempotency-Replayed: true) for 24 h',
);

/**
 * Gives every operation its id and summary (api-operations.ts), the headers it accepts, a request
 * example where one is listed, and only the error statuses it can answer.
 */
export function documentOperations(app: {
  openAPIRegistry: InstanceType<typeof OpenAPIHono>['openAPIRegistry'];
  routes: { method: string; path: string; handler: unknown }[];
}): void {
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== 'route') continue;
    const route = def.route as unknown as RouteDef;
    const op = OPERATIONS[`${route.method} ${route.path}`];
    if (op) {
      route.operationId ??= op.id;
      route.summary ??= op.summary;
      const body = route.request?.body?.content['application/json'];
      if (body && op.example) body.example = op.example;
      const answer = route.responses[200] as { headers?: unknown } | undefined;
      if (answer && op.etag) answer.headers = { ETag: { description: op.etag, schema: { type: 'string' } } };
    }
    const headers = [];
    if (op?.guarded) headers.push(IF_MATCH);
    if (op?.guarded === 'version-or-create') headers.push(IF_NONE_MATCH);
    if (route.method !== 'get') headers.push(IDEMPOTENCY_KEY);
    if (headers.length) route.parameters = [...(route.parameters ?? []), ...headers];
    // The registry drops a route's middleware: read it from the handlers Hono registered.
    const honoPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    const handlers = app.routes.filter((r) => r.method === route.method.toUpperCase() && r.path === honoPath).map((r) => r.handler);
    const statuses = errorStatuses({ ...route, middleware: handlers }, op);
    for (const status of Object.keys(route.responses).map(Number))
      if (status >= 400 && !statuses.includes(status)) delete route.responses[status];
    for (const status of statuses) route.responses[status] ??= errorResponse(status);
  }
}

/** Either an admin token or, when configured, a Cloudflare Access sign-in (docs/identity.md). */
export const security: Record<string, string[]>[] = [{ adminToken: [] }, { cloudflareAccess: [] }];
