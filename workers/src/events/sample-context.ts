import type { EvaluationContext } from '@edgeflags/core';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { eventSource } from './event-source.ts';
import type { EventsMessage } from './events-schema.ts';

/**
 * Browsers send their context to the evaluate route rather than with exposures, so a small
 * sample of evaluated contexts feeds the "how many would change" preview. Off the response path
 * (waitUntil), only contexts that name someone, only from requests within the key's rate limit,
 * stamped with server time and with the caller's source, whose share of the sample is capped.
 */
export function sampleContext(c: Context<AppEnv>, environment: string, context: EvaluationContext): void {
  const rate = Number(c.env.CONTEXT_SAMPLE_RATE ?? 0.05);
  const contextKey = context.targetingKey ?? context.userId;
  if (typeof contextKey !== 'string' || !(Math.random() < rate)) return;
  const receivedAt = Date.now();
  const send = async () => {
    if (!(await c.get('withinLimit'))) return;
    const message: EventsMessage = { environment, receivedAt, ...(await eventSource(c)), events: [], contexts: [{ contextKey, context }] };
    await c.env.EVENTS.send(message, { contentType: 'json' });
  };
  c.executionCtx.waitUntil(send().catch(() => {}));
}
