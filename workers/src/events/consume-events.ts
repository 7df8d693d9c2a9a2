import type { Env } from '../env.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { EVENT_LIMITS, type EventsMessage, type Exposure } from './events-schema.ts';

/** Contexts kept per environment for "how many would change" previews; the newest win. */
export const RECENT_CONTEXTS_KEPT = 1_000;
const HOUR_MS = 3_600_000;

interface Count {
  environment: string;
  flag: string;
  variant: string;
  hour: number;
  count: number;
}

interface Seen {
  environment: string;
  contextKey: string;
  context: string;
  at: number;
}

/**
 * Queue consumer: folds a batch of exposure messages into one upsert per (flag, variant, hour)
 * and one per context, in a single D1 batch. Unknown flags are dropped (client keys are public,
 * so anyone can send events; only real flags get rows). A failure throws, and the queue
 * retries the whole batch — counts are only written when the batch commits.
 */
export async function consumeEvents(batch: MessageBatch<EventsMessage>, env: Env): Promise<void> {
  const counts = new Map<string, Count>();
  const seen = new Map<string, Seen>();
  const known = new Map<string, Set<string>>();
  for (const { body } of batch.messages) {
    let flags = known.get(body.environment);
    if (!flags) {
      flags = new Set((await readSnapshot(env, body.environment).catch(() => null))?.compiled.keys ?? []);
      known.set(body.environment, flags);
    }
    for (const e of body.events) {
      if (!flags.has(e.flag)) continue;
      const at = plausibleTime(e.at, body.receivedAt);
      addCount(counts, body.environment, e, Math.floor(at / HOUR_MS) * HOUR_MS);
      if (e.context) addSeen(seen, body.environment, { ...e, context: e.context }, at);
    }
    for (const c of body.contexts ?? []) addSeen(seen, body.environment, c, body.receivedAt);
  }
  const stmts: D1PreparedStatement[] = [];
  for (const c of counts.values()) {
    stmts.push(
      env.DB.prepare(
        `INSERT INTO exposure_counts (environment, flag_key, variant, hour, count) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (environment, flag_key, variant, hour) DO UPDATE SET count = count + excluded.count`,
      ).bind(c.environment, c.flag, c.variant, c.hour, c.count),
    );
  }
  for (const s of seen.values()) {
    stmts.push(
      env.DB.prepare(
        `INSERT INTO recent_contexts (environment, context_key, context, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (environment, context_key) DO UPDATE SET context = excluded.context, seen_at = max(seen_at, excluded.seen_at)`,
      ).bind(s.environment, s.contextKey, s.context, s.at),
    );
  }
  for (const environment of new Set([...seen.values()].map((s) => s.environment))) {
    stmts.push(
      env.DB.prepare(
        `DELETE FROM recent_contexts WHERE environment = ?1 AND seen_at < (
           SELECT seen_at FROM recent_contexts WHERE environment = ?1 ORDER BY seen_at DESC LIMIT 1 OFFSET ?2)`,
      ).bind(environment, RECENT_CONTEXTS_KEPT - 1),
    );
  }
  if (stmts.length) await env.DB.batch(stmts);
  batch.ackAll();
}

function addCount(counts: Map<string, Count>, environment: string, e: Exposure, hour: number): void {
  const variant = e.variant ?? '';
  const id = JSON.stringify([environment, e.flag, variant, hour]);
  const c = counts.get(id);
  if (c) c.count++;
  else counts.set(id, { environment, flag: e.flag, variant, hour, count: 1 });
}

function addSeen(seen: Map<string, Seen>, environment: string, e: { contextKey: string; context: unknown }, at: number): void {
  const id = JSON.stringify([environment, e.contextKey]);
  const s = seen.get(id);
  if (s && s.at >= at) return;
  seen.set(id, { environment, contextKey: e.contextKey, context: JSON.stringify(e.context), at });
}

/** SDK clocks drift: a time far in the future or the past is replaced by when the Worker got it. */
function plausibleTime(at: number, receivedAt: number): number {
  return at > receivedAt + EVENT_LIMITS.futureSkewMs || at < receivedAt - EVENT_LIMITS.pastMs ? receivedAt : at;
}
