import type { EventsMessage } from './events/events-schema.ts';
import type { EnvironmentHub } from './hub/environment-hub.ts';

/** Bindings and variables of the Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  SNAPSHOTS: KVNamespace;
  HUB: DurableObjectNamespace<EnvironmentHub>;
  SDK_RATE_LIMITER: RateLimit;
  /** Exposure batches from SDKs, aggregated into D1 by `consumeEvents`. */
  EVENTS: Queue<EventsMessage>;
  ASSETS?: Fetcher;
  SNAPSHOT_MAX_AGE_MS?: string;
  /** Production: the first admin token (`efa_…`), set with `wrangler secret put ADMIN_TOKEN`. */
  ADMIN_TOKEN?: string;
  /** HMAC key for signed stream URLs (OFREP SSE cannot send headers). */
  STREAM_SECRET?: string;
}
