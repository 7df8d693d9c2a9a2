import type { MiddlewareHandler } from 'hono';

/** Request headers that carry a key: a cached answer must vary by them. */
export const CREDENTIAL_VARY = 'Authorization, X-API-Key';

/**
 * Every answer to a caller with a key is theirs alone (values evaluated for their context,
 * rules a server key may read), so no shared cache — CDN, corporate proxy — may keep it for
 * someone else. A route may ask for revalidation (`no-cache` with an ETag); this makes it
 * `private`, an answer that says nothing becomes `no-store`, and an ETag varies by the key.
 */
export const privateAnswers: MiddlewareHandler = async (c, next) => {
  await next();
  // An upgrade is no cacheable answer, and a 101 cannot be re-wrapped without its socket.
  if (c.req.method === 'OPTIONS' || c.res.status === 101) return;
  const cacheControl = c.res.headers.get('cache-control');
  const setCache = !cacheControl ? 'no-store' : /\b(private|no-store)\b/i.test(cacheControl) ? undefined : `private, ${cacheControl}`;
  const vary = c.res.headers.get('vary') ?? '';
  const setVary =
    c.res.headers.has('etag') && !/authorization/i.test(vary) ? (vary ? `${vary}, ${CREDENTIAL_VARY}` : CREDENTIAL_VARY) : undefined;
  if (setCache === undefined && setVary === undefined) return;
  // Responses from a Durable Object (streams) have immutable headers: re-wrap, body untouched.
  c.res = new Response(c.res.body, c.res);
  if (setCache) c.res.headers.set('Cache-Control', setCache);
  if (setVary) c.res.headers.set('Vary', setVary);
};
