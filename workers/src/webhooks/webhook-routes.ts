import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { auditStatement } from '../admin/audit.ts';
import { jsonBody, ok, security } from '../admin/openapi-helpers.ts';
import { IdParam } from '../admin/schemas.ts';
import type { AppEnv } from '../app-env.ts';
import { actorLabel } from '../auth/actor-label.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { newId } from '../auth/secrets.ts';
import { notFound, validationHook } from '../errors.ts';
import { attemptDelivery, deliverySettings } from './deliver.ts';
import { cursorStatementsForNewHook } from './dispatch.ts';
import type { WebhookEvent } from './webhook-event.ts';
import {
  WebhookCreate,
  WebhookCreated,
  WebhookDeleted,
  WebhookFailurePage,
  WebhookFailureQuery,
  WebhookList,
  WebhookTest,
  WebhookTestResult,
} from './webhook-schemas.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `whsec_` + 32 base62 characters (~190 bits): the prefix lets secret scanners spot a leak. */
function newWebhookSecret(): string {
  let s = 'whsec_';
  for (const b of crypto.getRandomValues(new Uint8Array(32))) s += ALPHABET[b % 62];
  return s;
}

interface HookRow {
  id: string;
  url: string;
  secret: string;
  events: string;
  format: 'json' | 'slack';
  enabled: number;
  createdBy: string;
  createdAt: number;
}

const SELECT_HOOK = `SELECT id, url, secret, events, format, enabled, created_by AS createdBy, created_at AS createdAt FROM webhooks`;

const publicHook = ({ secret: _s, ...h }: HookRow) => ({ ...h, events: JSON.parse(h.events) as string[], enabled: h.enabled === 1 });

/**
 * The audit log is readable by viewers, so it records where a hook points by origin only: the
 * path of a Slack or chat webhook URL is its credential.
 */
const audited = (h: ReturnType<typeof publicHook>) => ({ ...h, url: new URL(h.url).origin });

async function findHook(db: D1Database, id: string): Promise<HookRow> {
  const hook = await db.prepare(`${SELECT_HOOK} WHERE id = ?`).bind(id).first<HookRow>();
  if (!hook) throw notFound(`webhook ${id}`);
  return hook;
}

/** Signed webhooks and their dead letters; admins only (URLs and secrets are credentials). */
export const webhookRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhooks',
      tags: ['webhooks'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('Webhooks (never the secret)', WebhookList),
    }),
    async (c) => {
      const rows = await c.env.DB.prepare(`${SELECT_HOOK} ORDER BY created_at`).all<HookRow>();
      return c.json({ webhooks: rows.results.map(publicHook) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhooks',
      tags: ['webhooks'],
      security,
      middleware: [access('admin')],
      request: jsonBody(WebhookCreate),
      responses: ok('Created; `secret` is shown this once', WebhookCreated),
    }),
    async (c) => {
      const { url, events, format, reason } = c.req.valid('json');
      const actor = c.get('actor');
      const row: HookRow = {
        id: newId(),
        url,
        secret: newWebhookSecret(),
        events: JSON.stringify(events),
        format,
        enabled: 1,
        createdBy: actorLabel(actor),
        createdAt: Date.now(),
      };
      const hook = publicHook(row);
      await c.env.DB.batch([
        // Before the insert: the cursor is moved up only while no enabled hook exists.
        ...cursorStatementsForNewHook(c.env.DB),
        c.env.DB.prepare(
          `INSERT INTO webhooks (id, url, secret, events, format, enabled, created_by, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
        ).bind(row.id, row.url, row.secret, row.events, row.format, row.createdBy, row.createdAt),
        auditStatement(c.env.DB, {
          actor,
          action: 'webhook.create',
          resourceType: 'webhook',
          resourceKey: row.id,
          after: audited(hook),
          reason,
        }),
      ]);
      return c.json({ ...hook, secret: row.secret }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/webhooks/{id}',
      tags: ['webhooks'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam },
      responses: ok('Deleted with its dead letters; queued deliveries are dropped', WebhookDeleted),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = publicHook(await findHook(c.env.DB, id));
      const [deleted] = await c.env.DB.batch([
        c.env.DB.prepare('DELETE FROM webhooks WHERE id = ?').bind(id),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action: 'webhook.delete', resourceType: 'webhook', resourceKey: id, before: audited(before) },
          true,
        ),
        c.env.DB.prepare('DELETE FROM webhook_failures WHERE webhook_id = ? AND changes() = 1').bind(id),
      ]);
      if (deleted?.meta.changes !== 1) throw notFound(`webhook ${id}`);
      return c.json({ ...before, deletedAt: Date.now() }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/{id}/test',
      tags: ['webhooks'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam, ...jsonBody(WebhookTest) },
      responses: ok('One signed `webhook.test` delivery, sent now (not retried); what the receiver answered', WebhookTestResult),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const hook = await findHook(c.env.DB, id);
      const actor = c.get('actor');
      const event: WebhookEvent = {
        id: `evt_test_${newId()}`,
        type: 'webhook.test',
        at: new Date().toISOString(),
        environment: null,
        actor: actorLabel(actor),
        data: {
          action: 'webhook.test',
          resourceType: 'webhook',
          resourceKey: id,
          before: null,
          after: null,
          reason: 'a test event from edgeflags',
        },
      };
      const result = await attemptDelivery(hook, event, deliverySettings(c.env).timeoutMs);
      return c.json(
        { delivered: result.ok, status: result.status, error: result.error, durationMs: result.durationMs, eventId: event.id },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/webhook-failures',
      tags: ['webhooks'],
      security,
      middleware: [requireRole('admin')],
      request: { query: WebhookFailureQuery },
      responses: ok('Dead letters, newest first: deliveries that failed every attempt, with the last status and error', WebhookFailurePage),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await c.env.DB.prepare(
        `SELECT id, webhook_id AS webhookId, event_id AS eventId, event_type AS eventType, payload, attempts,
                last_status AS lastStatus, last_error AS lastError, failed_at AS failedAt
         FROM webhook_failures WHERE (?1 IS NULL OR webhook_id = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`,
      )
        .bind(q.webhook ?? null, q.before ?? null, q.limit)
        .all<{
          id: number;
          webhookId: string;
          eventId: string;
          eventType: string;
          payload: string;
          attempts: number;
          lastStatus: number | null;
          lastError: string | null;
          failedAt: number;
        }>();
      const last = rows.results.at(-1);
      return c.json({ failures: rows.results, next: rows.results.length === q.limit && last ? last.id : null }, 200);
    },
  );
