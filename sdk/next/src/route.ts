/**
 * @edgeflags/next/route — App Router route handlers under guarded releases. The middleware
 * evaluates the request; `withFlags` hands the handler those flags and records its outcome
 * (duration, a throw, a 5xx answer, named events) for the variant of each flag under a live
 * release plan it read. A separate entry because it carries the outcome recorder
 * (@edgeflags/node/outcomes): pages that only read flags do not load it.
 *
 * @example
 * // app/api/invoices/route.ts  (env: EDGEFLAGS_URL, EDGEFLAGS_SERVER_KEY)
 * import { withFlags } from '@edgeflags/next/route';
 * export const POST = withFlags(async (request, { flags }) => {
 *   const invoice = flags.isEnabled('new-pdf-engine') ? await renderV2(request) : await renderV1(request);
 *   flags.track('invoice-created', invoice.total);
 *   return Response.json(invoice);
 * });
 */
export {
  createRouteFlags,
  type FlagsRouteHandler,
  type RouteFlags,
  type RouteFlagsOptions,
  type RouteFlagsRecorder,
  withFlags,
} from './with-flags.ts';
