/** Default name of the sticky anonymous-id cookie. */
export const ANONYMOUS_ID_COOKIE = 'ef_id';

/**
 * 400 days: the longest lifetime Chromium keeps (RFC 6265bis caps Max-Age there), so a visitor
 * keeps their variant as long as any browser allows.
 */
export const ANONYMOUS_ID_MAX_AGE_S = 400 * 24 * 3600;

/**
 * Accepts ids this SDK mints (UUIDs) and similar opaque ids an app may already set, but nothing
 * long or odd: the cookie is user-controlled and becomes the targeting key.
 */
const VALID_ID = /^[A-Za-z0-9_-]{8,64}$/;

export interface AnonymousId {
  id: string;
  /** True when the id was minted for this request and the cookie must be set. */
  isNew: boolean;
}

/** Keeps a valid cookie value, or mints a new random id (Web Crypto: edge and Node alike). */
export function resolveAnonymousId(cookieValue: string | undefined, mint: () => string = () => crypto.randomUUID()): AnonymousId {
  if (cookieValue !== undefined && VALID_ID.test(cookieValue)) return { id: cookieValue, isNew: false };
  return { id: mint(), isNew: true };
}

export interface AnonymousIdCookieOptions {
  path: string;
  maxAge: number;
  sameSite: 'lax';
  secure: boolean;
  httpOnly: boolean;
}

/**
 * Not HttpOnly on purpose: the id is a bucketing key, not a credential, and the browser SDK
 * must send the same `targetingKey` when it re-evaluates (stream updates, client navigation),
 * or the variant would flip after hydration. SameSite=Lax keeps it on top-level navigations
 * from other sites (a link to /dashboard keeps its variant); Secure whenever the page is https.
 */
export function anonymousIdCookieOptions(protocol: string): AnonymousIdCookieOptions {
  return { path: '/', maxAge: ANONYMOUS_ID_MAX_AGE_S, sameSite: 'lax', secure: protocol === 'https:', httpOnly: false };
}
