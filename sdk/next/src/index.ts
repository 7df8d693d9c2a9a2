/**
 * @edgeflags/next — evaluate flags in Next.js middleware, before render. The snapshot is
 * downloaded with the server key, held in module scope and revalidated with its ETag, so each
 * request evaluates locally (microseconds) instead of a round trip to the Worker; A/B tests
 * are served by rewrites (no flicker, the URL stays), logged-out visitors get a sticky `ef_id`,
 * and Server Components read the result with `getFlags()` from `@edgeflags/next/server`.
 *
 * @example
 * // proxy.ts (Next 16, Node runtime) — or middleware.ts for the edge runtime, same code
 * // with `export default`. Env: EDGEFLAGS_URL=http://127.0.0.1:8787
 * //   EDGEFLAGS_SERVER_KEY=efs_LocalDevServerKeyDoNotUseInProd001
 * import { createEdgeflagsMiddleware } from '@edgeflags/next';
 *
 * export const proxy = createEdgeflagsMiddleware({
 *   context: (req) => ({ plan: req.cookies.get('plan')?.value, country: req.headers.get('x-country') ?? undefined }),
 *   experiments: { 'redesigned-dashboard': { '/dashboard': (variant) => `/dashboard/${variant}` } },
 * });
 * export const config = { matcher: ['/((?!_next/|favicon.ico).*)'] };
 */
export { ANONYMOUS_ID_COOKIE, ANONYMOUS_ID_MAX_AGE_S, anonymousIdCookieOptions, resolveAnonymousId } from './anonymous-id.ts';
export { createEdgeflagsMiddleware, type EdgeflagsMiddleware, type EdgeflagsMiddlewareOptions } from './create-middleware.ts';
export { chooseRewrite, type Experiments, type RewriteDecision, type VariantPaths } from './experiments.ts';
export { FLAGS_HEADER } from './flags-header.ts';
export { type RequestFlags, readFlags } from './read-flags.ts';
export type { EvaluatePayload, Exposure, WireContext, WireResult } from './types.ts';
