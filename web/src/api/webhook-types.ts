/** Webhook shapes of the admin API (workers/src/webhooks/webhook-schemas.ts). */

export type WebhookFormat = 'json' | 'slack';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  format: WebhookFormat;
  enabled: boolean;
  createdBy: string;
  createdAt: number;
}

export interface WebhookCreateBody {
  url: string;
  events: string[];
  format: WebhookFormat;
}

export interface WebhookTestResult {
  delivered: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
  eventId: string;
}

/** A delivery that failed every attempt: the dead letter, with the body as sent. */
export interface WebhookFailure {
  id: number;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  failedAt: number;
}
