import { countsForRelease, type EvaluationContext, type EvaluationResult, type FlagSnapshot } from '@edgeflags/core';
// `.js`: next has no exports map, so Node's ESM loader (the installed package run outside a Next
// bundle) resolves only file names; bundlers resolve both spellings.
import { type NextFetchEvent, type NextRequest, NextResponse } from 'next/server.js';
import { ANONYMOUS_ID_COOKIE, anonymousIdCookieOptions, resolveAnonymousId } from './anonymous-id.ts';
import { chooseRewrite, type Experiments, type RewriteDecision } from './experiments.ts';
import { ExposureQueue } from './exposures.ts';
import { encodeFlagsHeader, FLAGS_HEADER, PASS_HEADER } from './flags-header.ts';
import { appendRequestCookie, isHttps, isPrefetch, withoutUndefined } from './request-helpers.ts';
import { SnapshotSource } from './snapshot-source.ts';

type Setting = string | undefined | (() => string | undefined);

export interface EdgeflagsMiddlewareOptions {
  /** Worker origin; read at request time. Default: `process.env.EDGEFLAGS_URL`. */
  url?: Setting;
  /** Server key (`efs_…`), kept on the server. Default: `process.env.EDGEFLAGS_SERVER_KEY`. */
  serverKey?: Setting;
  /** The evaluation context of a request (user id, plan, country…). Without a `targetingKey` the anonymous id is used. */
  context?: (request: NextRequest) => EvaluationContext | Promise<EvaluationContext>;
  /** A/B tests served by rewrites: `{ flag: { '/path': (variant) => '/path/variant' } }`. */
  experiments?: Experiments;
  /** Name of the sticky anonymous-id cookie (`ef_id`), or `false` to never set one. */
  cookie?: string | false;
  /** Snapshot revalidation bound in ms (default 5000, or `EDGEFLAGS_REVALIDATE_MS`). */
  revalidateMs?: number;
  /** How long a cold start waits for its first snapshot before serving defaults (default 1000 ms). */
  initialTimeoutMs?: number;
  /** Send exposures for A/B rewrites (default true); `{ context: false }` leaves the context out of them. */
  exposures?: boolean | { context?: boolean; flushDelayMs?: number };
  /** Called with every swallowed error (network, bad config, a throwing `context`). Default: `console.warn`, once per message. */
  onError?: (error: unknown) => void;
  fetch?: typeof fetch;
}

export type EdgeflagsMiddleware = (request: NextRequest, event?: NextFetchEvent) => Promise<NextResponse>;

const isContextObject = (c: unknown): c is EvaluationContext => typeof c === 'object' && c !== null && !Array.isArray(c);
const env = (name: string): string | undefined => (typeof process === 'undefined' ? undefined : process.env?.[name]);
const setting = (value: Setting, envName: string) => () => (typeof value === 'function' ? value() : (value ?? env(envName)));

function warnOnce(): (error: unknown) => void {
  const seen = new Set<string>();
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    if (seen.has(message) || seen.size > 100) return;
    seen.add(message);
    console.warn(message);
  };
}

/**
 * Builds the middleware (`proxy.ts` on Next 16's Node runtime, `middleware.ts` on the edge
 * runtime). Call it once at module scope: the snapshot and the exposure queue live in that
 * module instance, i.e. one per isolate or process.
 */
export function createEdgeflagsMiddleware(options: EdgeflagsMiddlewareOptions = {}): EdgeflagsMiddleware {
  const url = setting(options.url, 'EDGEFLAGS_URL');
  const serverKey = setting(options.serverKey, 'EDGEFLAGS_SERVER_KEY');
  const onError = options.onError ?? warnOnce();
  // Next runs the middleware again for the path a rewrite leads to. This instance's own rewrite
  // carries this unguessable value, so that second pass keeps the first one's header (and its
  // record of the exposure sent) instead of evaluating again; a client cannot forge it.
  const passToken = crypto.randomUUID();
  const cookieName = options.cookie === undefined ? ANONYMOUS_ID_COOKIE : options.cookie;
  const revalidateMs = options.revalidateMs ?? (Number(env('EDGEFLAGS_REVALIDATE_MS')) || 5_000);
  const source = new SnapshotSource({
    url,
    serverKey,
    revalidateMs,
    initialTimeoutMs: options.initialTimeoutMs ?? 1_000,
    fetchTimeoutMs: 5_000,
    onError,
    ...(options.fetch && { fetch: options.fetch }),
  });
  const exposureOptions = typeof options.exposures === 'object' ? options.exposures : {};
  const exposures =
    options.exposures === false
      ? undefined
      : new ExposureQueue({
          url,
          serverKey,
          onError,
          ...(exposureOptions.flushDelayMs !== undefined && { flushDelayMs: exposureOptions.flushDelayMs }),
          ...(options.fetch && { fetch: options.fetch }),
        });

  const background = (event: NextFetchEvent | undefined, promise: Promise<void> | undefined) => {
    if (!promise) return;
    // Keeps serverless hosts alive until the work is done; on `next start` the promise simply runs on.
    try {
      event?.waitUntil(promise);
    } catch (error) {
      onError(error);
    }
  };

  return async function edgeflagsMiddleware(request, event) {
    try {
      const { snapshot, pending } = await source.read();
      background(event, pending);
      return await respond(request, event, snapshot);
    } catch (error) {
      // Flags are never worth a broken page: pass the request through untouched.
      onError(error);
      return NextResponse.next();
    }
  };

  async function respond(
    request: NextRequest,
    event: NextFetchEvent | undefined,
    snapshot: FlagSnapshot | undefined,
  ): Promise<NextResponse> {
    if (request.headers.get(PASS_HEADER) === passToken && request.headers.has(FLAGS_HEADER)) return NextResponse.next();
    const given = await resolveContext(request);
    // Whether a context is usable is core's decision (INVALID_CONTEXT for every flag), not a
    // copy's: an array spread into an object would otherwise evaluate as a valid context.
    const valid = isContextObject(given);
    const context: EvaluationContext = valid ? given : {};
    const anonymous = valid && !context.targetingKey && cookieName ? resolveAnonymousId(request.cookies.get(cookieName)?.value) : undefined;
    if (anonymous) context.targetingKey = anonymous.id;
    const results: Record<string, EvaluationResult> = snapshot ? snapshot.evaluateAll(valid ? context : given) : {};

    const rewrite = chooseRewrite(options.experiments, request.nextUrl.pathname, (flag) => results[flag]);
    // The rewrite's exposure is reported here, so the bootstrap tells the browser not to repeat it.
    const reportRewrite = rewrite !== undefined && exposures !== undefined && context.targetingKey !== undefined && !isPrefetch(request);
    const headers = new Headers(request.headers);
    // Always overwrite: a client-sent x-edgeflags must never reach server components. Without a
    // snapshot the header still carries the context (and so the targeting key), with no flags.
    headers.delete(FLAGS_HEADER);
    headers.delete(PASS_HEADER);
    const encoded = encodeFlagsHeader({
      environment: snapshot?.environment ?? '',
      version: snapshot?.version ?? 0,
      context: withoutUndefined(context),
      results,
      isClientVisible: (key) => snapshot?.flag(key)?.clientVisible === true,
      ...(reportRewrite && { exposed: [rewrite.flag] }),
      // Only outcomes the release compares: users its default rule serves (countsForRelease).
      ...(snapshot &&
        snapshot.tracked.length > 0 && {
          tracked: snapshot.tracked.filter((k) => results[k] !== undefined && countsForRelease(results[k])),
        }),
    });
    if (encoded) headers.set(FLAGS_HEADER, encoded);
    else onError(new Error('edgeflags: evaluated flags exceed the header bound; server components get defaults'));
    if (anonymous?.isNew && cookieName) appendRequestCookie(headers, cookieName, anonymous.id);

    let response: NextResponse;
    if (rewrite) {
      const destination = request.nextUrl.clone();
      destination.pathname = rewrite.pathname;
      headers.set(PASS_HEADER, passToken);
      response = NextResponse.rewrite(destination, { request: { headers } });
      if (reportRewrite && context.targetingKey !== undefined) background(event, recordExposure(rewrite, context.targetingKey, context));
    } else {
      response = NextResponse.next({ request: { headers } });
    }
    if (anonymous?.isNew && cookieName)
      response.cookies.set(cookieName, anonymous.id, anonymousIdCookieOptions(isHttps(request) ? 'https:' : 'http:'));
    return response;
  }

  function recordExposure(rewrite: RewriteDecision, contextKey: string, context: EvaluationContext): Promise<void> | undefined {
    const { flag, variant, reason } = rewrite;
    const withContext = typeof options.exposures !== 'object' || options.exposures.context !== false;
    return exposures?.record({
      flag,
      variant,
      reason,
      contextKey,
      at: Date.now(),
      ...(withContext && { context: withoutUndefined(context) }),
    });
  }

  async function resolveContext(request: NextRequest): Promise<EvaluationContext> {
    if (!options.context) return {};
    try {
      const given = await options.context(request);
      // As in every SDK, no context at all is an empty one; anything else not an object is refused.
      if (given === undefined) return {};
      if (!isContextObject(given)) {
        onError(new Error('edgeflags: the middleware context() must return an object; every flag answers INVALID_CONTEXT'));
        return given;
      }
      const ctx = { ...given };
      // `userId` is the documented alias of `targetingKey`.
      if (ctx.targetingKey === undefined && typeof ctx.userId === 'string') ctx.targetingKey = ctx.userId;
      return ctx;
    } catch (error) {
      onError(error);
      return {};
    }
  }
}
