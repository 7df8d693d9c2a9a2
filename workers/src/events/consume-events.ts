import type { Env } from '../env.ts';
import { DAY_MS } from '../lifecycle/lifecycle-policy.ts';
import { type EventsMessage, SOURCE_LIMITS, type SourceKind } from './events-schema.ts';
import { applyQuotas, HOUR_MS, type SourceHour } from './exposure-quota.ts';

/** Contexts kept per environment for "how many would change" previews; the newest win. */
export const RECENT_CONTEXTS_KEPT = 1_000;

interface Seen {
  environment: string;
  source: string;
  contextKey: string;
  context: string;
  at: number;
}

/**
 * Queue consumer: folds a batch of exposure messages into one upsert per (flag, variant, hour)
 * and one per context, in a single D1 batch. The route validated every event against the
 * snapshot; here each source is held to its caps (SOURCE_LIMITS): exposures per hour, and a
 * share of the sample. Times are the Worker's (`receivedAt`), never the SDK's, so a future-dated
 * context cannot outlive real ones. A failure throws, and the queue retries the whole batch —
 * counts are only written when the batch commits.
 */
export async function consumeEvents(batch: MessageBatch<EventsMessage>, env: Env): Promise<void> {
  const groups = new Map<string, SourceHour>();
  const seen = new Map<string, Seen>();
  const sources = new Map<string, { environment: string; source: string; kind: SourceKind }>();
  const perSource = new Map<string, number>();
  for (const { body } of batch.messages) {
    const { environment, receivedAt: at } = body;
    const source = body.source ?? 'unknown';
    const kind = body.kind ?? 'client';
    sources.set(JSON.stringify([environment, source]), { environment, source, kind });
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const id = JSON.stringify([environment, source, hour]);
    const group = groups.get(id) ?? { environment, source, kind, hour, events: [] };
    groups.set(id, group);
    group.events.push(...body.events);
    const sample = (contextKey: string, context: unknown) => {
      // Past its share, a source's contexts would only be pruned again: do not write them.
      const n = perSource.get(source) ?? 0;
      if (n >= SOURCE_LIMITS.sampleShare[kind]) return;
      if (addSeen(seen, { environment, source, contextKey, context, at })) perSource.set(source, n + 1);
    };
    for (const e of body.events) if (e.context) sample(e.contextKey, e.context);
    for (const c of body.contexts ?? []) sample(c.contextKey, c.context);
  }
  const stmts = await applyQuotas(env.DB, [...groups.values()], Date.now());
  stmts.push(...countStatements(env.DB, groups.values()), ...evaluationStatements(env.DB, groups.values(), Date.now()));
  for (const s of seen.values()) {
    stmts.push(
      env.DB.prepare(
        `INSERT INTO recent_contexts (environment, context_key, context, seen_at, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (environment, context_key) DO UPDATE SET context = excluded.context, seen_at = excluded.seen_at, source = excluded.source`,
      ).bind(s.environment, s.contextKey, s.context, s.at, s.source),
    );
  }
  // Each source keeps only its newest contexts, up to its share; then the environment its newest
  // 1,000. rowid breaks ties: every context of one request carries the same server time.
  for (const s of sources.values()) {
    stmts.push(
      env.DB.prepare(
        `DELETE FROM recent_contexts WHERE rowid IN (SELECT rowid FROM recent_contexts WHERE environment = ?1 AND source = ?2
           ORDER BY seen_at DESC, rowid DESC LIMIT -1 OFFSET ?3)`,
      ).bind(s.environment, s.source, SOURCE_LIMITS.sampleShare[s.kind]),
    );
  }
  for (const environment of new Set([...seen.values()].map((s) => s.environment))) {
    stmts.push(
      env.DB.prepare(
        `DELETE FROM recent_contexts WHERE rowid IN (SELECT rowid FROM recent_contexts WHERE environment = ?1
           ORDER BY seen_at DESC, rowid DESC LIMIT -1 OFFSET ?2)`,
      ).bind(environment, RECENT_CONTEXTS_KEPT),
    );
  }
  if (stmts.length) await env.DB.batch(stmts);
  batch.ackAll();
}

/** One upsert per (environment, flag, variant, hour); variant "" counts SDK fallbacks (errors). */
function countStatements(db: D1Database, groups: Iterable<SourceHour>): D1PreparedStatement[] {
  const counts = new Map<string, { environment: string; flag: string; variant: string; hour: number; count: number }>();
  for (const g of groups) {
    for (const e of g.events) {
      const variant = e.variant ?? '';
      const id = JSON.stringify([g.environment, e.flag, variant, g.hour]);
      const c = counts.get(id);
      if (c) c.count++;
      else counts.set(id, { environment: g.environment, flag: e.flag, variant, hour: g.hour, count: 1 });
    }
  }
  return [...counts.values()].map((c) =>
    db
      .prepare(
        `INSERT INTO exposure_counts (environment, flag_key, variant, hour, count) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (environment, flag_key, variant, hour) DO UPDATE SET count = count + excluded.count`,
      )
      .bind(c.environment, c.flag, c.variant, c.hour, c.count),
  );
}

/**
 * SDK-reported exposures are evaluations too: the lifecycle's evidence (flag_evaluations, per
 * flag and UTC day; docs/lifecycle.md) counts them beside the edge's own evaluations.
 */
function evaluationStatements(db: D1Database, groups: Iterable<SourceHour>, now: number): D1PreparedStatement[] {
  const days = new Map<string, { environment: string; flag: string; day: number; count: number; at: number }>();
  for (const g of groups) {
    const day = Math.floor(g.hour / DAY_MS) * DAY_MS;
    const at = Math.min(g.hour + HOUR_MS - 1, now);
    for (const e of g.events) {
      const id = JSON.stringify([g.environment, e.flag, day]);
      const d = days.get(id);
      if (d) {
        d.count++;
        d.at = Math.max(d.at, at);
      } else days.set(id, { environment: g.environment, flag: e.flag, day, count: 1, at });
    }
  }
  return [...days.values()].map((d) =>
    db
      .prepare(
        `INSERT INTO flag_evaluations (environment, flag_key, day, count, last_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (environment, flag_key, day) DO UPDATE SET count = count + excluded.count, last_at = max(last_at, excluded.last_at)`,
      )
      .bind(d.environment, d.flag, d.day, d.count, d.at),
  );
}

/** The newest context per key wins; later messages in a batch arrived later. True if the key is new. */
function addSeen(seen: Map<string, Seen>, s: Omit<Seen, 'context'> & { context: unknown }): boolean {
  const id = JSON.stringify([s.environment, s.contextKey]);
  const prior = seen.get(id);
  if (prior && prior.at > s.at) return false;
  seen.set(id, { ...s, context: JSON.stringify(s.context) });
  return prior === undefined;
}
