/**
 * The edgeflags Worker: admin API, SDK and OFREP routes (Hono), one EnvironmentHub Durable
 * Object per environment, and the queue consumer that aggregates exposure events.
 * Run locally with `npm start`; see README for deploying.
 */
import { app } from './app.ts';
import type { Env } from './env.ts';
import { consumeEvents } from './events/consume-events.ts';
import type { EventsMessage } from './events/events-schema.ts';

export type { AppType } from './app.ts';
export { EnvironmentHub } from './hub/environment-hub.ts';

export default { fetch: app.fetch, queue: consumeEvents } satisfies ExportedHandler<Env, EventsMessage>;
