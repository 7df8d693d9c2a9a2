import { z } from '@hono/zod-openapi';

/** Request and response shapes of the webhook admin routes (webhook-routes.ts). */

/** An event type or a filter: `flag.enable`, `flag.*`, `release.*`, or `*` for everything. */
const EventFilter = z
  .string()
  .max(100)
  .regex(/^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$/, 'an event type (flag.enable), a prefix (flag.*, release.*) or *');

export const WebhookCreate = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'the url must be http(s)' })
      .max(2000)
      .openapi({
        description: 'Where events are POSTed. Only admins can read it back (a Slack URL is itself a credential).',
        example: 'https://hooks.example.com/edgeflags',
      }),
    events: z
      .array(EventFilter)
      .min(1)
      .max(20)
      .default(['flag.*', 'release.*'])
      .openapi({ example: ['flag.*', 'release.*'] }),
    format: z.enum(['json', 'slack']).default('json').openapi({ description: '`slack`: a Slack incoming-webhook message (text + blocks)' }),
    reason: z.string().max(500).optional(),
  })
  .openapi('WebhookCreate');

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    format: z.enum(['json', 'slack']),
    enabled: z.boolean(),
    createdBy: z.string(),
    createdAt: z.number().int(),
  })
  .openapi('Webhook');

export const WebhookCreated = Webhook.extend({
  secret: z.string().openapi({ description: 'The signing secret (whsec_…), shown this once: verify Edgeflags-Signature with it' }),
}).openapi('WebhookCreated');

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi('WebhookList');

export const WebhookDeleted = Webhook.extend({ deletedAt: z.number().int() }).openapi('WebhookDeleted');

export const WebhookTest = z.strictObject({}).openapi('WebhookTest');

export const WebhookTestResult = z
  .object({
    delivered: z.boolean(),
    status: z.number().int().nullable().openapi({ description: "The receiver's HTTP status; null when it did not answer" }),
    error: z.string().nullable(),
    durationMs: z.number(),
    eventId: z.string(),
  })
  .openapi('WebhookTestResult');

export const WebhookFailure = z
  .object({
    id: z.number().int(),
    webhookId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    payload: z.string().openapi({ description: 'The body that was sent, as sent' }),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    failedAt: z.number().int(),
  })
  .openapi('WebhookFailure');

export const WebhookFailurePage = z
  .object({
    failures: z.array(WebhookFailure),
    next: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next page' }),
  })
  .openapi('WebhookFailurePage');

export const WebhookFailureQuery = z.object({
  webhook: z.string().uuid().optional().openapi({ description: 'Only this webhook’s dead letters' }),
  before: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
