import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { appendRequestCookie, isHttps, isPrefetch, withoutUndefined } from './request-helpers.ts';

describe('request helpers', () => {
  it('adds the new anonymous id to the request cookies, replacing an invalid one', () => {
    const headers = new Headers({ cookie: 'session=abc; ef_id=bad; theme=dark' });
    appendRequestCookie(headers, 'ef_id', 'new-id-123');
    expect(headers.get('cookie')).toBe('session=abc; theme=dark; ef_id=new-id-123');
    const empty = new Headers();
    appendRequestCookie(empty, 'ef_id', 'new-id-123');
    expect(empty.get('cookie')).toBe('ef_id=new-id-123');
  });

  it('tells https from the URL or a forwarding proxy', () => {
    expect(isHttps(new NextRequest('https://app.example/'))).toBe(true);
    expect(isHttps(new NextRequest('http://app.example/', { headers: { 'x-forwarded-proto': 'https, http' } }))).toBe(true);
    expect(isHttps(new NextRequest('http://app.example/'))).toBe(false);
  });

  it('recognises browser prefetches', () => {
    expect(isPrefetch(new NextRequest('http://a/', { headers: { 'sec-purpose': 'prefetch;prerender' } }))).toBe(true);
    expect(isPrefetch(new NextRequest('http://a/', { headers: { purpose: 'prefetch' } }))).toBe(true);
    expect(isPrefetch(new NextRequest('http://a/'))).toBe(false);
  });

  it('drops undefined attributes so the provider context equals the evaluated one', () => {
    expect(withoutUndefined({ targetingKey: 'u', plan: undefined, n: 0, b: false })).toEqual({ targetingKey: 'u', n: 0, b: false });
  });
});
