import { describe, expect, it } from 'vitest';
import { ANONYMOUS_ID_MAX_AGE_S, anonymousIdCookieOptions, resolveAnonymousId } from './anonymous-id.ts';

describe('sticky anonymous id', () => {
  it('keeps a valid id from the cookie', () => {
    const id = '0b9c1d0e-4a8f-4c3e-9d2b-7f1e2a3b4c5d';
    expect(resolveAnonymousId(id)).toEqual({ id, isNew: false });
  });

  it('mints a random UUID when the cookie is missing or not a plausible id', () => {
    for (const bad of [undefined, '', 'short', 'a'.repeat(65), 'has space in it', '"><script>', 'ünïcode-id-value']) {
      const { id, isNew } = resolveAnonymousId(bad);
      expect(isNew).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(resolveAnonymousId(undefined).id).not.toBe(resolveAnonymousId(undefined).id);
  });

  it('sets a long-lived, Lax, browser-readable cookie, Secure on https only', () => {
    expect(anonymousIdCookieOptions('https:')).toEqual({
      path: '/',
      maxAge: ANONYMOUS_ID_MAX_AGE_S,
      sameSite: 'lax',
      secure: true,
      httpOnly: false,
    });
    expect(anonymousIdCookieOptions('http:').secure).toBe(false);
    expect(ANONYMOUS_ID_MAX_AGE_S).toBe(34_560_000);
  });
});
