import { createEdgeflagsMiddleware } from '@edgeflags/next';

/**
 * The app's flag middleware, shared by `proxy.ts` (Node runtime) and `middleware.ts` (edge
 * runtime). A logged-in user is `?user=` here (a stand-in for a session); everyone else gets
 * the sticky `ef_id`. Exposures are flushed quickly so the test sees them.
 */
export const edgeflags = createEdgeflagsMiddleware({
  context: (req) => {
    const user = req.nextUrl.searchParams.get('user');
    return {
      ...(user && { targetingKey: user }),
      accountId: req.nextUrl.searchParams.get('account') ?? undefined,
      plan: req.nextUrl.searchParams.get('plan') ?? 'free',
      country: req.headers.get('x-country') ?? 'US',
    };
  },
  experiments: { 'redesigned-dashboard': { '/dashboard': (variant) => `/dashboard/${variant}` } },
  exposures: { flushDelayMs: 100 },
});
