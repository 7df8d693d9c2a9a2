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
  /** Cloudflare Access team domain (`<team>.cloudflareaccess.com`); with ACCESS_AUD, turns sign-in through Access on (docs/identity.md). */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's AUD tag (comma-separated for several applications). */
  ACCESS_AUD?: string;
  /** Comma-separated emails that are admins with production access without a role binding (bootstrap). */
  ACCESS_ADMIN_EMAILS?: string;
  /** Milliseconds an isolate holds evaluation counts before writing them to D1 (default 5000; lifecycle/evaluation-counter.ts). */
  EVALUATION_FLUSH_MS?: string;
  /**
   * Retention in days, enforced by the cron in bounded batches (docs/lifecycle.md): sampled
   * contexts (30), exposure counts (90), evaluation counts (90, at least 31), audit log (unset:
   * kept forever, since pruning must keep the hash chain verifiable).
   */
  RETENTION_CONTEXTS_DAYS?: string;
  RETENTION_EXPOSURES_DAYS?: string;
  RETENTION_EVALUATIONS_DAYS?: string;
  RETENTION_AUDIT_DAYS?: string;
  /** Stream caps of one environment's hub (defaults in hub/stream-caps.ts; docs/keys.md). */
  STREAM_CAP_PER_ENVIRONMENT?: string;
  STREAM_CAP_PER_KEY?: string;
  STREAM_CAP_PER_CALLER?: string;
  /** Subscriber shards (hub/shard-routing.ts; docs/scale.md §2): streams per shard before N doubles (5000), N's floor (1) and ceiling (256). */
  HUB_SHARD_CAPACITY?: string;
  HUB_MIN_SHARDS?: string;
  HUB_MAX_SHARDS?: string;
}
