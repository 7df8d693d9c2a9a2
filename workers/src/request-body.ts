import { METRICS_LIMITS } from '@edgeflags/core';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app-env.ts';
import { ApiError } from './errors.ts';
import { EVENT_LIMITS } from './events/events-schema.ts';
import { parseJson } from './parse-json.ts';
import { CONTEXT_LIMITS } from './sdk/context.ts';

/**
 * What every request body is held to before a route sees it (README "Limits"): a size per area,
 * JSON only, and parsed by parseJson (bounded depth, no prototype keys).
 */
export const ADMIN_BODY_BYTES = 1024 * 1024;

interface BodyRule {
  prefix: string;
  bytes: number;
  /** SDK bodies may come as text/plain: browsers send a string body that way, and sendBeacon must. */
  text: boolean;
  /**
   * SDK handlers parse their own body with parseJson after the key check (the hot path reads the
   * raw body once). Admin bodies are checked here: hono's validator re-parses the text with a
   * plain JSON.parse and would report a refused body as merely malformed.
   */
  parsedByRoute: boolean;
}

/** First match wins; anything else that carries a body gets the smallest limit. */
export const BODY_RULES: readonly BodyRule[] = [
  { prefix: '/sdk/v1/events', bytes: EVENT_LIMITS.bodyBytes, text: true, parsedByRoute: true },
  { prefix: '/sdk/v1/metrics', bytes: METRICS_LIMITS.bodyBytes, text: true, parsedByRoute: true },
  { prefix: '/sdk/', bytes: CONTEXT_LIMITS.bodyBytes, text: true, parsedByRoute: true },
  { prefix: '/ofrep/', bytes: CONTEXT_LIMITS.bodyBytes, text: true, parsedByRoute: true },
  { prefix: '/api/', bytes: ADMIN_BODY_BYTES, text: false, parsedByRoute: false },
];
const FALLBACK: BodyRule = { prefix: '/', bytes: CONTEXT_LIMITS.bodyBytes, text: false, parsedByRoute: false };

export function bodyRuleFor(path: string): BodyRule {
  return BODY_RULES.find((r) => path.startsWith(r.prefix)) ?? FALLBACK;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

// One hono/body-limit per rule: it refuses on Content-Length before reading anything, and
// stops a body streamed without one as soon as it passes the limit.
const limiters = new Map<BodyRule, MiddlewareHandler>(
  [...BODY_RULES, FALLBACK].map((rule) => [
    rule,
    bodyLimit({
      maxSize: rule.bytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `body over the ${rule.bytes}-byte limit for ${rule.prefix} routes`);
      },
    }),
  ]),
);

/**
 * The one middleware in front of every route that reads a body: type, then size, then the
 * limits of parseJson (depth, prototype keys) — here, or in the SDK handler that parses.
 */
export const requestBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.req.raw.body) return next();
  const rule = bodyRuleFor(c.req.path);
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const typeOk = JSON_TYPE.test(type) || (rule.text && (type === '' || type === 'text/plain'));
  return limiters.get(rule)!(c, async () => {
    if (!typeOk) {
      // workerd hands a bodyless DELETE an empty, non-null stream: no type and nothing in it is no body.
      if (type === '' && (await c.req.text()) === '') return next();
      throw new ApiError(
        415,
        'unsupported_media_type',
        `send the body as JSON with Content-Type: application/json, not "${type || 'none'}"`,
      );
    }
    if (!rule.parsedByRoute) {
      // Read once and checked before the route (and its auth) runs: a refused body answers 400
      // with its reason; the text stays in hono's body cache for the validator and idempotency.
      const text = await c.req.text();
      if (text !== '') parseJson(text);
    }
    await next();
  });
};
