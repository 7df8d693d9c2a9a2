/**
 * The edgeflags Worker: admin API, SDK and OFREP routes (Hono), one EnvironmentHub Durable
 * Object per environment, the queue consumer that aggregates exposure events, and the cron
 * that re-delivers any committed snapshot the hub or KV has not confirmed (docs/delivery.md).
 * Run locally with `npm start`; see README for deploying.
 */
import { reconcileKeyEnds } from './admin/key-lifecycle.ts';
import { app } from './app.ts';
import { sealQuietly } from './audit/seal.ts';
import { runScheduledChanges } from './changes/scheduled-changes.ts';
import type { Env } from './env.ts';
import { consumeEvents } from './events/consume-events.ts';
import type { EventsMessage } from './events/events-schema.ts';
import { DIGEST_CRON, LIFECYCLE_CRON, lifecycleHousekeeping, weeklyDigest } from './lifecycle/lifecycle-cron.ts';
import { consumeMetrics, METRICS_QUEUE } from './metrics/consume-metrics.ts';
import type { IngestBatch } from './releases/ingest-types.ts';
import { reconcileDeliveries } from './snapshot/reconcile.ts';
import { consumeWebhooks, WEBHOOKS_QUEUE, type WebhookMessage } from './webhooks/deliver.ts';
import { dispatchQuietly } from './webhooks/dispatch.ts';

export type { AppType } from './app.ts';
export { AuditSealer } from './audit/audit-sealer.ts';
export { EnvironmentHub } from './hub/environment-hub.ts';
export { ReleaseConductor } from './releases/release-conductor.ts';

const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env) => {
  // Lifecycle (docs/lifecycle.md): housekeeping every 15 minutes, the stale digest weekly.
  if (controller.cron === LIFECYCLE_CRON) return lifecycleHousekeeping(env, controller.scheduledTime);
  if (controller.cron === DIGEST_CRON) return weeklyDigest(env, controller.scheduledTime);
  // The webhook dispatcher's backstop: audit entries whose write-time dispatch died go out here.
  // Key ends: hubs that could not be told at a revocation or rotation end those streams now.
  // Audit seal: entries whose write-time seal failed are chained here (docs/audit.md).
  // Scheduled changes whose time came are applied, and snapshot-carried switches settled into D1.
  await Promise.all([
    reconcileDeliveries(env),
    dispatchQuietly(env),
    reconcileKeyEnds(env),
    sealQuietly(env),
    runScheduledChanges(env).catch((e) => console.error('scheduled changes', e)),
  ]);
};

/** One handler for every queue this Worker consumes, told apart by the queue's name. */
const queue: ExportedHandlerQueueHandler<Env, EventsMessage | WebhookMessage | IngestBatch> = async (batch, env) => {
  if (batch.queue === METRICS_QUEUE) return consumeMetrics(batch as MessageBatch<IngestBatch>, env);
  if (batch.queue === WEBHOOKS_QUEUE) return consumeWebhooks(batch as MessageBatch<WebhookMessage>, env);
  return consumeEvents(batch as MessageBatch<EventsMessage>, env);
};

export default { fetch: app.fetch, queue, scheduled } satisfies ExportedHandler<Env, EventsMessage | WebhookMessage | IngestBatch>;
