import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.ts';
import { requireSdkKey } from '../auth/sdk-auth.ts';
import { ApiError, validationError } from '../errors.ts';
import { EVENT_LIMITS, EventsBody, type EventsMessage } from './events-schema.ts';

/**
 * `POST /sdk/v1/events`: exposures from every SDK. The request is validated here and handed to
 * a queue, so an SDK's flush costs one small write and never waits on D1; the consumer
 * aggregates. Any content type is read as JSON, because `navigator.sendBeacon` (the only send
 * that survives a closing tab) cannot set one, nor an Authorization header — client keys may
 * therefore come as `?key=`.
 */
export const eventsRoutes = new Hono<AppEnv>();

const limit = bodyLimit({
  maxSize: EVENT_LIMITS.bodyBytes,
  onError: () => {
    throw new ApiError(413, 'payload_too_large', `body over ${EVENT_LIMITS.bodyBytes} bytes; send fewer events per request`);
  },
});

eventsRoutes.post('/events', requireSdkKey('server', 'client'), limit, async (c) => {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'invalid_json', 'body is not valid JSON');
  }
  const parsed = EventsBody.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const message: EventsMessage = { environment: c.get('sdkKey').environment, receivedAt: Date.now(), events: parsed.data.events };
  await c.env.EVENTS.send(message, { contentType: 'json' });
  return c.json({ accepted: message.events.length }, 202);
});
