import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requireSdkKey } from '../auth/sdk-auth.ts';
import { eventSource } from '../events/event-source.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { admitMetrics } from './admit-metrics.ts';
import { sendGroups } from './ingest-messages.ts';

/**
 * `POST /sdk/v1/metrics`: outcome summaries (errors, latency sketches, named events) per flag ×
 * variant, pre-aggregated by SDKs for the flags under a live release plan (docs/releases.md).
 * The shape and its bounds are checked here (a refused body answers 400/413 and enqueues
 * nothing), then each summary against the snapshot: tracked flags, real variants, and for the
 * public client key client-visible flags only. What is kept is stamped with the Worker's clock,
 * the source (server | client) and the caller (key id, or a hashed address for browsers), and
 * handed to the METRICS queue, one message per flag; the consumer feeds the flag's
 * ReleaseConductor, which caps what one caller may contribute.
 */
export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.post('/metrics', requireSdkKey('server', 'client'), async (c) => {
  const text = await c.req.text();
  const { environment, kind } = c.get('sdkKey');
  const { source: caller } = await eventSource(c);
  const stamp = { environment, receivedAt: Date.now(), source: kind, caller };
  const admitted = admitMetrics(text, await readSnapshot(c.env, environment, c.executionCtx), stamp);
  if (admitted.messages.length > 0) {
    for (const group of sendGroups(admitted.messages)) {
      if (group.length === 1) await c.env.METRICS.send((group[0] as (typeof group)[number]).body, { contentType: 'json' });
      else await c.env.METRICS.sendBatch(group.map((m) => ({ body: m.body, contentType: 'json' as const })));
    }
  }
  // 202 even when some were dropped: an SDK on a stale snapshot must not retry them forever.
  return c.json({ accepted: admitted.accepted, dropped: admitted.dropped }, 202);
});
