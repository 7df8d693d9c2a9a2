/**
 * The dispatcher: the audit log is the outbox. It claims the audit entries after the stored
 * cursor (outbox_cursors 'webhooks') and enqueues one WEBHOOKS message per (webhook, entry).
 * It runs after every admin write (`waitUntil`, see `dispatchAfterWrites`), from the release
 * conductor after its decisions, and from the cron each minute, so an entry whose trigger died
 * is picked up by the next run: nothing audited is missed.
 *
 * Exactly once per entry: the cursor moves only by `UPDATE … WHERE last_id = <value read>`, so
 * of two dispatchers that read the same cursor one claims the range and the other re-reads.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Env } from '../env.ts';
import type { WebhookMessage } from './deliver.ts';
import { eventTypeOf, matchesFilter } from './webhook-event.ts';

export const CURSOR = 'webhooks';
/** Entries claimed at once; a claim's messages go out in sendBatch calls of at most 100. */
const PAGE = 100;
/** Claims per run: a backlog drains over a few runs instead of holding one invocation. */
const MAX_PAGES = 10;
const SEND_BATCH = 100;

interface Hook {
  id: string;
  events: string;
  /** The audit id of the hook's creation: it hears entries after it (0 when it has none). */
  since: number | null;
}

interface Entry {
  id: number;
  action: string;
  resourceType: string;
}

export interface DispatchResult {
  /** Audit ids this run claimed (each id is claimed by exactly one run, ever). */
  claimed: number[];
  enqueued: number;
  /** Claims another dispatcher won first (this run re-read the cursor). */
  lostRaces: number;
}

/**
 * SQL that starts the cursor at the newest entry: a hook hears what happens after it exists.
 * While no enabled hook exists the cursor is moved up to the newest entry too, so a hook created
 * months after the last one was deleted does not wait for a backlog no one subscribed to.
 */
export function cursorStatementsForNewHook(db: D1Database): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `UPDATE outbox_cursors SET last_id = (SELECT coalesce(max(id), 0) FROM audit_log), updated_at = unixepoch('subsec') * 1000
         WHERE name = ? AND NOT EXISTS (SELECT 1 FROM webhooks WHERE enabled = 1)`,
      )
      .bind(CURSOR),
    db.prepare(`INSERT OR IGNORE INTO outbox_cursors (name, last_id) SELECT ?, coalesce(max(id), 0) FROM audit_log`).bind(CURSOR),
  ];
}

export async function dispatchWebhooks(env: Pick<Env, 'DB' | 'WEBHOOKS'>, { pageSize = PAGE } = {}): Promise<DispatchResult> {
  const result: DispatchResult = { claimed: [], enqueued: 0, lostRaces: 0 };
  // Ordered by audit id, not by clock: a D1 timestamp and a Worker's Date.now() can disagree.
  const hooks = (
    await env.DB.prepare(
      `SELECT w.id, w.events, (SELECT max(a.id) FROM audit_log a WHERE a.resource_type = 'webhook' AND a.resource_key = w.id) AS since
       FROM webhooks w WHERE w.enabled = 1`,
    ).all<Hook>()
  ).results;
  if (hooks.length === 0) return result;
  const filters = hooks.map((h) => ({ ...h, patterns: JSON.parse(h.events) as string[] }));
  for (let page = 0; page < MAX_PAGES; page++) {
    const cursor = await env.DB.prepare('SELECT last_id AS lastId FROM outbox_cursors WHERE name = ?')
      .bind(CURSOR)
      .first<{ lastId: number }>();
    if (!cursor) return result; // created with the first hook; none yet means nothing to send
    const rows = (
      await env.DB.prepare(`SELECT id, action, resource_type AS resourceType FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`)
        .bind(cursor.lastId, pageSize)
        .all<Entry>()
    ).results;
    const last = rows.at(-1);
    if (!last) return result;
    const claim = await env.DB.prepare(
      `UPDATE outbox_cursors SET last_id = ?, updated_at = unixepoch('subsec') * 1000 WHERE name = ? AND last_id = ?`,
    )
      .bind(last.id, CURSOR, cursor.lastId)
      .run();
    if (claim.meta.changes !== 1) {
      result.lostRaces++;
      continue;
    }
    result.claimed.push(...rows.map((r) => r.id));
    const messages: MessageSendRequest<WebhookMessage>[] = [];
    for (const row of rows) {
      const type = eventTypeOf(row);
      if (!type) continue;
      for (const hook of filters) {
        if (row.id > (hook.since ?? 0) && matchesFilter(hook.patterns, type))
          messages.push({ body: { webhookId: hook.id, entryId: row.id } });
      }
    }
    try {
      for (let i = 0; i < messages.length; i += SEND_BATCH) await env.WEBHOOKS.sendBatch(messages.slice(i, i + SEND_BATCH));
      result.enqueued += messages.length;
    } catch (e) {
      // Hand the range back so the next run sends it (unless another run already moved past it,
      // which only happens if this one hung): some of its messages may then go out twice, which
      // receivers absorb by Edgeflags-Delivery. Losing them would be worse.
      await env.DB.prepare(`UPDATE outbox_cursors SET last_id = ? WHERE name = ? AND last_id = ?`)
        .bind(cursor.lastId, CURSOR, last.id)
        .run();
      throw e;
    }
    if (rows.length < pageSize) return result;
  }
  return result;
}

/** Logs instead of throwing: a failed dispatch is retried by the next write or the cron. */
export async function dispatchQuietly(env: Pick<Env, 'DB' | 'WEBHOOKS'>): Promise<void> {
  await dispatchWebhooks(env).catch((e) => console.warn('webhook dispatch failed; the cron retries', e));
}

/** After each admin write: dispatch in `waitUntil`, so the caller's answer does not wait for it. */
export const dispatchAfterWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.method === 'GET' || c.res.status >= 400) return;
  try {
    c.executionCtx.waitUntil(dispatchQuietly(c.env));
  } catch {
    // No execution context (app.request in a unit test): the cron dispatches.
  }
};
