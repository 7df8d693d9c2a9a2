// Webhook shapes of the admin API, from the Worker's zod schemas as `import type` (no zod in the browser).
import type { z } from 'zod';
import type * as W from '../../../workers/src/webhooks/webhook-schemas.ts';

export type WebhookRow = z.output<typeof W.Webhook>;
export type WebhookFormat = WebhookRow['format'];
export type WebhookCreateBody = z.input<typeof W.WebhookCreate>;
export type WebhookTestResult = z.output<typeof W.WebhookTestResult>;
/** A delivery that failed every attempt: the dead letter, with the body as sent. */
export type WebhookFailure = z.output<typeof W.WebhookFailure>;
