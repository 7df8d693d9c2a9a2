/**
 * The edgeflags Worker: admin API, SDK and OFREP routes (Hono), one EnvironmentHub Durable
 * Object per environment, the queue consumer that aggregates exposure events, and the cron
 * that re-delivers any committed snapshot the hub or KV has not confirmed (docs/delivery.md).
 * Run locally with `npm start`; see README for deploying.
 */
import { app } from './app.ts';
import type { Env } from './env.ts';
import { consumeEvents } from './events/consume-events.ts';
import type { EventsMessage } from './events/events-schema.ts';
import { reconcileDeliveries } from './snapshot/reconcile.ts';

export type { AppType } from './app.ts';
export { EnvironmentHub } from './hub/environment-hub.ts';
export { ReleaseConductor } from './releases/release-conductor.ts';

const scheduled: ExportedHandlerScheduledHandler<Env> = async (_controller, env) => {
  await reconcileDeliveries(env);
};

export default { fetch: app.fetch, queue: consumeEvents, scheduled } satisfies ExportedHandler<Env, EventsMessage>;
