// Runs the middleware in-process the way Next does (a NextRequest in, a NextResponse out) and
// reads what a Server Component would: Next hands the rewritten request headers to the render
// as `x-middleware-request-<name>` on the middleware's response.
import { NextRequest, type NextResponse } from 'next/server';
import type { EdgeflagsMiddleware } from '../src/index.ts';
import { type RequestFlags, readFlags } from '../src/read-flags.ts';

export interface MiddlewareRun {
  response: NextResponse;
  flags: RequestFlags;
  /** Work the middleware handed to `event.waitUntil` (revalidations, exposures). */
  background: Promise<unknown>[];
  ms: number;
}

export async function runMiddleware(middleware: EdgeflagsMiddleware, path = '/'): Promise<MiddlewareRun> {
  const background: Promise<unknown>[] = [];
  const event = { waitUntil: (p: Promise<unknown>) => void background.push(p) } as never;
  const started = Date.now();
  const response = await middleware(new NextRequest(`http://app.test${path}`), event);
  const ms = Date.now() - started;
  const flags = readFlags({ get: (name) => response.headers.get(`x-middleware-request-${name}`) });
  return { response, flags, background, ms };
}
