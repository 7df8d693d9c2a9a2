import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requireSdkKey } from '../auth/sdk-auth.ts';
import { validationError } from '../errors.ts';
import { parseJson } from '../parse-json.ts';
import { EventsBody, type EventsMessage } from './events-schema.ts';

/**
 * `POST /sdk/v1/events`: exposures from every SDK. The request is validated here and handed to
 * a queue, so an SDK's flush costs one small write and never waits on D1; the consumer
 * aggregates. A text/plain body is read as JSON, because `navigator.sendBeacon` (the only send
 * that survives a closing tab) sends a string that way and cannot set an Authorization header —
 * client keys may therefore come as `?key=`. Size and type are checked in request-body.ts.
 */
export const eventsRoutes = new Hono<AppEnv>();

eventsRoutes.post('/events', requireSdkKey('server', 'client'), async (c) => {
  const body = parseJson(await c.req.text());
  const parsed = EventsBody.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const message: EventsMessage = { environment: c.get('sdkKey').environment, receivedAt: Date.now(), events: parsed.data.events };
  await c.env.EVENTS.send(message, { contentType: 'json' });
  return c.json({ accepted: message.events.length }, 202);
});
