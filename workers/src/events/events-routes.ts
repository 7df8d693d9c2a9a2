import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requireSdkKey } from '../auth/sdk-auth.ts';
import { validationError } from '../errors.ts';
import { parseJson } from '../parse-json.ts';
import { readSnapshot } from '../snapshot/edge-cache.ts';
import { eventSource } from './event-source.ts';
import { EventsBody, type EventsMessage } from './events-schema.ts';
import { knownExposures } from './known-exposures.ts';

/**
 * `POST /sdk/v1/events`: exposures from every SDK. The request is validated here and handed to
 * a queue, so an SDK's flush costs one small write and never waits on D1; the consumer
 * aggregates. Client keys are public, so what they send is checked against the snapshot here
 * and each source's share is capped by the consumer (docs/events.md). A text/plain body is read
 * as JSON, because `navigator.sendBeacon` (the only send that survives a closing tab) sends a
 * string that way and cannot set an Authorization header — client keys may therefore come as
 * `?key=`. Size and type are checked in request-body.ts.
 */
export const eventsRoutes = new Hono<AppEnv>();

eventsRoutes.post('/events', requireSdkKey('server', 'client'), async (c) => {
  const body = parseJson(await c.req.text());
  const parsed = EventsBody.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const { environment, kind } = c.get('sdkKey');
  const events = knownExposures(await readSnapshot(c.env, environment, c.executionCtx), kind, parsed.data.events);
  const dropped = parsed.data.events.length - events.length;
  if (events.length > 0) {
    const message: EventsMessage = { environment, receivedAt: Date.now(), ...(await eventSource(c)), events };
    await c.env.EVENTS.send(message, { contentType: 'json' });
  }
  // 202 even when some were dropped: an SDK with a stale snapshot must not retry them forever.
  return c.json({ accepted: events.length, dropped }, 202);
});
