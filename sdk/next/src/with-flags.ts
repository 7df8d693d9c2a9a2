import type { OutcomeOptions } from '@edgeflags/node/outcomes';
import { addEvent, type EventTotals, OutcomeRecorder, validEventName } from '@edgeflags/node/outcomes';
// `.js`: next has no exports map, so Node's ESM loader (the installed package run outside a Next
// bundle) resolves only file names; bundlers resolve both spellings.
import * as nextServer from 'next/server.js';
import { type RequestFlags, readFlags } from './read-flags.ts';

type Setting = string | undefined | (() => string | undefined);

export interface RouteFlagsOptions {
  /** Worker origin. Default: `process.env.EDGEFLAGS_URL`. */
  url?: Setting;
  /** Server key (`efs_…`). Default: `process.env.EDGEFLAGS_SERVER_KEY`. */
  serverKey?: Setting;
  /** Window and cell bounds of the outcome recorder (default: sent every 10 s, at most 1,000 cells). */
  outcomes?: OutcomeOptions;
  onError?: (error: unknown) => void;
  fetch?: typeof fetch;
}

/** The request's flags (as `readFlags`), whose reads of flags under a release plan attribute this request's outcome. */
export interface RouteFlags extends RequestFlags {
  /** A named business event (`invoice-created`, optional value) of this request. */
  track(name: string, value?: number): void;
}

export type FlagsRouteHandler<C> = (request: Request, context: C & { flags: RouteFlags }) => Response | Promise<Response>;

export interface RouteFlagsRecorder {
  /** Wraps an App Router route handler: its duration, throw, or 5xx answer counts for the tracked flags it read. */
  withFlags<C = unknown>(handler: FlagsRouteHandler<C>): (request: Request, context: C) => Promise<Response>;
  /** Sends what waits now (e.g. before a serverless instance freezes). Never rejects. */
  flush(): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
  readonly recorder: OutcomeRecorder;
}

const env = (name: string): string | undefined => (typeof process === 'undefined' ? undefined : process.env?.[name]);
const setting = (value: Setting, envName: string) => (typeof value === 'function' ? value() : (value ?? env(envName)));
/** `after()` exists from Next 15: the flush then runs once the response is sent, and serverless hosts wait for it. */
const after = (nextServer as { after?: (task: () => unknown) => void }).after;

/**
 * Route-handler outcomes for guarded releases. The middleware evaluated the request and said
 * which flags are under a live plan (the `x-edgeflags` header); the wrapped handler receives
 * them as `context.flags`, and each read of a tracked flag attributes the request's outcome
 * (duration, a throw, a 5xx) to the variant it served. Summaries go to `POST /sdk/v1/metrics`
 * (the recorder of @edgeflags/node: bounded, 429-aware, never awaited by a request).
 */
export function createRouteFlags(options: RouteFlagsOptions = {}): RouteFlagsRecorder {
  const onError = options.onError ?? ((e: unknown) => console.warn(e instanceof Error ? e.message : String(e)));
  const logger = { warn: (m: string) => onError(new Error(m)), error: (m: string) => onError(new Error(m)) };
  const send = (body: string, signal: AbortSignal) => {
    const url = setting(options.url, 'EDGEFLAGS_URL');
    const key = setting(options.serverKey, 'EDGEFLAGS_SERVER_KEY');
    if (!url || !key) return Promise.reject(new Error('edgeflags: no Worker url or server key; outcomes not sent'));
    return (options.fetch ?? fetch)(`${url.replace(/\/+$/, '')}/sdk/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      signal,
    });
  };
  const recorder = new OutcomeRecorder(options.outcomes ?? {}, send, logger, 5_000);

  const afterResponse = () => {
    try {
      if (after) return after(() => recorder.flushIfDue());
    } catch {
      // Outside a request scope (tests, scripts): Next has nowhere to run it later.
    }
    void recorder.flushIfDue();
  };

  function withFlags<C>(handler: FlagsRouteHandler<C>) {
    return async (request: Request, context: C): Promise<Response> => {
      const started = performance.now();
      const read = readFlags(request.headers);
      const tracked = new Set(read.tracked);
      const flags: string[] = [];
      const variants: string[] = [];
      let events: EventTotals | undefined;
      /** Passes `key` through; on the first read of a tracked flag, its variant joins this request's outcome. */
      const note = (key: string): string => {
        const r = tracked.has(key) && !flags.includes(key) ? read.get(key) : undefined;
        if (r?.variant !== undefined && r.reason !== 'ERROR') {
          flags.push(key);
          variants.push(r.variant);
        }
        return key;
      };
      const routeFlags: RouteFlags = {
        ...read,
        get: (key) => read.get(note(key)),
        value: (key, fallback) => read.value(note(key), fallback),
        isEnabled: (key, fallback) => read.isEnabled(note(key), fallback),
        variant: (key) => read.variant(note(key)),
        track(name, value) {
          if (!validEventName(name)) return;
          events ??= new Map();
          addEvent(events, name, 1, typeof value === 'number' && Number.isFinite(value) ? value : 0);
        },
      };
      const finish = (failed: boolean) => {
        const ms = performance.now() - started;
        for (let i = 0; i < flags.length; i++) recorder.record(flags[i]!, variants[i]!, ms, failed, events);
        if (flags.length > 0) afterResponse();
      };
      let response: Response;
      try {
        response = await handler(request, { ...context, flags: routeFlags } as C & { flags: RouteFlags });
      } catch (error) {
        finish(true);
        throw error;
      }
      finish(response.status >= 500);
      return response;
    };
  }

  return { withFlags, recorder, flush: () => recorder.flush(), close: (timeoutMs) => recorder.close(timeoutMs) };
}

let shared: RouteFlagsRecorder | undefined;

/**
 * `createRouteFlags()` with the environment's settings, created on first use (one per module
 * instance, i.e. per process or isolate).
 *
 * @example
 * // app/api/invoices/route.ts
 * import { withFlags } from '@edgeflags/next/route';
 * export const POST = withFlags(async (request, { flags }) => {
 *   const pdf = flags.isEnabled('new-pdf-engine') ? await renderV2(request) : await renderV1(request);
 *   flags.track('invoice-created', pdf.total);
 *   return Response.json(pdf);
 * });
 */
export function withFlags<C = unknown>(handler: FlagsRouteHandler<C>): (request: Request, context: C) => Promise<Response> {
  let wrapped: ((request: Request, context: C) => Promise<Response>) | undefined;
  return (request, context) => {
    shared ??= createRouteFlags();
    wrapped ??= shared.withFlags(handler);
    return wrapped(request, context);
  };
}
