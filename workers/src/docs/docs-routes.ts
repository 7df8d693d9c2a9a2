import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { streamsDocument } from '../hub/stream-contract.ts';
import { type OpenApiDoc, renderReference } from './render-reference.ts';

/**
 * Public documentation under /api/v1: the streaming contract (AsyncAPI) and the HTML reference.
 * `openapi` is the admin app's generated document (passed in: app.ts owns the registry).
 */
export function docsRoutes(openapi: () => unknown) {
  return new Hono<AppEnv>()
    .get('/streams.json', (c) => c.json(streamsDocument()))
    .get('/docs', (c) => {
      // The page has no script at all; the CSP says so, whatever the /api middleware sets.
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return c.html(renderReference(openapi() as OpenApiDoc, { openapi: '/api/v1/openapi.json', streams: '/api/v1/streams.json' }));
    });
}
