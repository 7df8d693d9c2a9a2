/**
 * The WEBHOOKS queue consumer: one message per (webhook, audit entry). Each delivery is one
 * signed POST with a timeout; a failure is retried by the queue with exponential backoff
 * (`message.retry({ delaySeconds })`), and after the last attempt it becomes a dead letter in
 * webhook_failures, listed by the API and the app. Delivery is at least once: receivers drop
 * repeats by `Edgeflags-Delivery` (docs/webhooks.md).
 */
import type { Env } from '../env.ts';
import { STALE_DIGEST_EVENT, type StaleDigestEvent, slackDigest } from '../lifecycle/stale-digest.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { slackMessage } from './slack.ts';
import { type AuditRow, eventTypeOf, toEvent, type WebhookEvent } from './webhook-event.ts';

/** The queue's name in wrangler.toml: the Worker's one queue handler routes batches by it. */
export const WEBHOOKS_QUEUE = 'edgeflags-webhooks';

export type WebhookMessage =
  | {
      webhookId: string;
      /** audit_log id: the message stays small; the consumer reads the entry (and the hook) fresh. */
      entryId: number;
    }
  /** An event that is no audit entry (the weekly stale digest, lifecycle/stale-digest.ts) rides whole. */
  | { webhookId: string; digest: StaleDigestEvent };

/** What a hook can receive: an audited change, or the stale digest. */
type Deliverable = WebhookEvent | StaleDigestEvent;

export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
  format: 'json' | 'slack';
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Attempts in all (the first included), first retry delay, and per-attempt timeout. */
export function deliverySettings(env: Pick<Env, 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_RETRY_BASE_SECONDS' | 'WEBHOOK_TIMEOUT_MS'>) {
  const int = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);
  return {
    maxAttempts: Math.max(1, int(env.WEBHOOK_MAX_ATTEMPTS, 8)),
    retryBaseSeconds: int(env.WEBHOOK_RETRY_BASE_SECONDS, 30),
    timeoutMs: Math.max(100, int(env.WEBHOOK_TIMEOUT_MS, 10_000)),
  };
}

/** 30 s, 1 min, 2 min … capped at the 12 h Queues allows: 8 attempts span about an hour. */
export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  return Math.min(baseSeconds * 2 ** (attempt - 1), 43_200);
}

export const deliveryId = (webhookId: string, event: Pick<WebhookEvent, 'id'>) => `${event.id}.${webhookId}`;

/** The body a hook receives: the event as JSON, or a Slack message carrying it in words. */
export function bodyFor(hook: Pick<WebhookTarget, 'format'>, event: Deliverable): string {
  if (hook.format !== 'slack') return JSON.stringify(event);
  return JSON.stringify(event.type === STALE_DIGEST_EVENT ? slackDigest(event as StaleDigestEvent) : slackMessage(event as WebhookEvent));
}

/** One signed POST. Redirects count as failures: a hook must name its final URL. */
export async function attemptDelivery(hook: WebhookTarget, event: Deliverable, timeoutMs: number): Promise<AttemptResult> {
  const body = bodyFor(hook, event);
  const started = Date.now();
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'edgeflags-webhooks/1',
    'Edgeflags-Event': event.type,
    'Edgeflags-Delivery': deliveryId(hook.id, event),
    [SIGNATURE_HEADER]: await signatureHeader(hook.secret, body, Math.floor(started / 1000)),
  };
  try {
    const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The body is not needed; reading it frees the connection.
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? null : `answered ${res.status}`, durationMs: Date.now() - started };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    const error = timedOut ? `no answer within ${timeoutMs} ms` : e instanceof Error ? e.message : String(e);
    return { ok: false, status: null, error, durationMs: Date.now() - started };
  }
}

type EntryRow = Omit<AuditRow, 'before' | 'after'> & { before: string | null; after: string | null };

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

async function load(env: Env, messages: readonly Message<WebhookMessage>[]) {
  const hookIds = [...new Set(messages.map((m) => m.body.webhookId))];
  const entryIds = [...new Set(messages.flatMap((m) => ('entryId' in m.body ? [m.body.entryId] : [])))];
  const [hooks, entries] = await env.DB.batch([
    env.DB.prepare(`SELECT id, url, secret, format FROM webhooks WHERE enabled = 1 AND id IN (SELECT value FROM json_each(?))`).bind(
      JSON.stringify(hookIds),
    ),
    env.DB.prepare(
      `SELECT id, at, actor, action, resource_type AS resourceType, resource_key AS resourceKey, environment, before, after, reason
       FROM audit_log WHERE id IN (SELECT value FROM json_each(?))`,
    ).bind(JSON.stringify(entryIds)),
  ]);
  return {
    hooks: new Map((hooks!.results as unknown as WebhookTarget[]).map((h) => [h.id, h])),
    entries: new Map((entries!.results as unknown as EntryRow[]).map((e) => [e.id, e])),
  };
}

export async function consumeWebhooks(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const settings = deliverySettings(env);
  const { hooks, entries } = await load(env, batch.messages);
  await Promise.all(
    batch.messages.map(async (message) => {
      const hook = hooks.get(message.body.webhookId);
      const event = 'digest' in message.body ? message.body.digest : eventOf(entries.get(message.body.entryId));
      // A hook deleted or disabled since, or an entry that is not an event: nothing to send.
      if (!hook || !event) return message.ack();
      const result = await attemptDelivery(hook, event, settings.timeoutMs);
      if (result.ok) return message.ack();
      if (message.attempts < settings.maxAttempts) {
        return message.retry({ delaySeconds: retryDelaySeconds(message.attempts, settings.retryBaseSeconds) });
      }
      await recordDeadLetter(env, hook, event, message.attempts, result);
      message.ack();
    }),
  );
}

function eventOf(row: EntryRow | undefined): WebhookEvent | undefined {
  const type = row && eventTypeOf(row);
  return row && type ? toEvent({ ...row, before: parse(row.before), after: parse(row.after) }, type) : undefined;
}

async function recordDeadLetter(env: Env, hook: WebhookTarget, event: Deliverable, attempts: number, result: AttemptResult) {
  console.warn(`webhook ${hook.id}: ${event.id} failed ${attempts} times (${result.error})`);
  await env.DB.prepare(
    `INSERT INTO webhook_failures (webhook_id, event_id, event_type, payload, attempts, last_status, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(hook.id, event.id, event.type, bodyFor(hook, event), attempts, result.status, result.error)
    .run();
}
