import { z } from '@hono/zod-openapi';

/** Shorthands for route declarations: every response documents the same error envelope. */
export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi('Error');

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

/** A route's responses: its 200 answer (`schema` types both the document and `c.json`) and the errors. */
export const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing, unknown or revoked admin token', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'Role or environment not allowed', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorBody } } },
  409: { description: 'Version conflict', content: { 'application/json': { schema: ErrorBody } } },
});

export const security = [{ adminToken: [] }];
