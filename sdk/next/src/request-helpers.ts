import type { EvaluationContext } from '@edgeflags/core';
import type { NextRequest } from 'next/server';

/**
 * A browser prefetch or prerender (`Sec-Purpose: prefetch`) renders the variant before anyone
 * sees it: not an exposure. Next's own `<Link>` prefetches cannot be told apart here — Next
 * strips its router headers before the middleware runs — so links to experiment paths should
 * use `prefetch={false}` when exposure counts must be exact.
 */
export function isPrefetch(request: NextRequest): boolean {
  const purpose = request.headers.get('sec-purpose') ?? request.headers.get('purpose') ?? '';
  return purpose.includes('prefetch');
}

/** JSON would drop them anyway; dropping them here keeps the provider's context identical to the evaluated one. */
export function withoutUndefined(context: EvaluationContext): EvaluationContext {
  const out: EvaluationContext = {};
  for (const key in context) if (context[key] !== undefined) out[key] = context[key];
  return out;
}

/** Downstream code that reads cookies (route handlers, `cookies()`) sees the new id on the very first request too. */
export function appendRequestCookie(headers: Headers, name: string, value: string): void {
  const existing = headers.get('cookie');
  const kept = existing
    ?.split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${name}=`));
  headers.set('cookie', [...(kept ?? []), `${name}=${value}`].join('; '));
}

/** Behind a TLS-terminating proxy Next sees http; the forwarded protocol is what the browser used. */
export function isHttps(request: NextRequest): boolean {
  return request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
