import type { EventsMessage } from './events/events-schema.ts';
import type { IngestBatch } from './releases/ingest-types.ts';
import type { WebhookMessage } from './webhooks/deliver.ts';

/**
 * The Worker's bindings. `WranglerEnv` is generated from wrangler.toml by `npm run types`
 * (workers/worker-configuration.d.ts, committed; CI fails when regenerating changes it); this
 * narrows what the generator cannot know: the queue's message type, and secrets that may be unset.
 */
export interface Env
  extends Omit<
    WranglerEnv,
    'EVENTS' | 'METRICS' | 'WEBHOOKS' | 'ADMIN_TOKEN' | 'STREAM_SECRET' | 'SNAPSHOT_MAX_AGE_MS' | 'CONTEXT_SAMPLE_RATE'
  > {
  /** Exposure batches from SDKs, aggregated into D1 by `consumeEvents`. */
  EVENTS: Queue<EventsMessage>;
  /** Release outcome summaries, one flag per message, fed to its ReleaseConductor by `consumeMetrics`. */
  METRICS: Queue<IngestBatch>;
  /** One message per (webhook, audit entry), from the dispatcher to `consumeWebhooks` (docs/webhooks.md). */
  WEBHOOKS: Queue<WebhookMessage>;
  /** Webhook delivery attempts in all, first retry delay (doubling), per-attempt timeout (defaults 8, 30 s, 10,000 ms). */
  WEBHOOK_MAX_ATTEMPTS?: string;
  WEBHOOK_RETRY_BASE_SECONDS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  /** Static assets (the admin app) when wrangler.toml's `[assets]` binds them. */
  ASSETS?: Fetcher;
  /** Share of edge evaluations whose context joins the recent-contexts sample (default 0.05). */
  CONTEXT_SAMPLE_RATE?: string;
  /** Milliseconds an isolate serves its in-memory snapshot before asking the hub for a newer one. */
  SNAPSHOT_MAX_AGE_MS?: string;
  /** Milliseconds after which a request waits for the refresh instead of being served the copy (default 3000). */
  SNAPSHOT_HARD_MAX_AGE_MS?: string;
  /** Milliseconds the hub's latest version is shared by a location's isolates via the Cache API (default 1000; 0 = off). */
  SNAPSHOT_LOCATION_TTL_MS?: string;
  /** Production: the first admin token (`efa_…`), set with `wrangler secret put ADMIN_TOKEN`. */
  ADMIN_TOKEN?: string;
  /** HMAC key for signed stream URLs (OFREP SSE cannot send headers). */
  STREAM_SECRET?: string;
  /** Stream caps of one environment's hub (defaults in hub/stream-caps.ts; docs/keys.md). */
  STREAM_CAP_PER_ENVIRONMENT?: string;
  STREAM_CAP_PER_KEY?: string;
  STREAM_CAP_PER_CALLER?: string;
}
