/**
 * @edgeflags/next/server — the flags the middleware evaluated, for Server Components.
 *
 * @example
 * // app/page.tsx
 * import { getFlags } from '@edgeflags/next/server';
 * export default async function Page() {
 *   const flags = await getFlags();
 *   return flags.isEnabled('maintenance-mode') ? <p>Back soon</p> : <p>Hello</p>;
 * }
 *
 * // Route handlers that should count toward guarded releases: `withFlags` from `@edgeflags/next/route`.
 */
// `.js`: next has no exports map, so Node's ESM loader (the installed package run outside a Next
// bundle) resolves only file names; bundlers resolve both spellings.
import { headers } from 'next/headers.js';
import { type RequestFlags, readFlags } from './read-flags.ts';

export { type RequestFlags, readFlags } from './read-flags.ts';
export type { EvaluatePayload, WireContext, WireResult } from './types.ts';

/**
 * `readFlags(await headers())`: the request's flags in a Server Component, Server Action or
 * Route Handler. Reading headers makes the route dynamic, as per-user flags must be. Not
 * wrapped in try/catch on purpose: during prerendering `headers()` throws Next's own bail-out
 * signal, which must reach Next.
 */
export async function getFlags(): Promise<RequestFlags> {
  return readFlags(await headers());
}
