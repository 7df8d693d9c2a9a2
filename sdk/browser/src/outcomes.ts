/**
 * @edgeflags/browser/outcomes — page outcomes for guarded releases, in its own entry so the
 * 2 KB client does not grow. A page view counts once for the variant each flag under a live
 * plan (the payload's `tracked`) served it; it failed if an uncaught error or unhandled
 * rejection happened (opt-in) or `error()` was called. Named events count for those variants.
 * Sent to `POST /sdk/v1/metrics` every 10 s and on pagehide (sendBeacon), bounded, never throwing.
 * Browser metrics are shown beside server ones, and drive a release only when its plan opts in.
 *
 * @example
 * import { createClient } from '@edgeflags/browser';
 * import { recordOutcomes } from '@edgeflags/browser/outcomes';
 *
 * const options = { url: 'http://127.0.0.1:8787', clientKey: 'efc_LocalDevClientKeyDoNotUseInProd001' };
 * const flags = createClient({ ...options, context: { targetingKey: 'user-42' } });
 * const outcomes = recordOutcomes(flags, { ...options, captureErrors: true });
 * outcomes.track('invoice-created', 120);
 */
import type { FlagClient } from './types.ts';

export interface OutcomeOptions {
  url: string;
  clientKey: string;
  /** Count uncaught errors and unhandled rejections as the page view failing (default false). */
  captureErrors?: boolean;
  /** Summaries are sent at least this often while some wait (default 10 s), and on pagehide. */
  flushIntervalMs?: number;
  fetch?: typeof fetch;
}

export interface PageOutcomes {
  /** A named business event (`invoice-created`) with an optional value, for this page's variants. */
  track(name: string, value?: number): void;
  /** Marks this page view failed (an error the app caught itself, e.g. in an error boundary). */
  error(): void;
  /** Sends what is waiting now. */
  flush(): void;
  close(): void;
}

interface Cell {
  flag: string;
  variant: string;
  count: number;
  errors: number;
  events: Record<string, { count: number; sum: number }>;
}

/** One page serves few tracked flags: more cells than this is not a page, and is not kept. */
const MAX_CELLS = 50;
/** The edge's limits (METRICS_LIMITS): event names per summary, and a name's length. */
const MAX_EVENTS = 20;
const MAX_NAME = 64;

export function recordOutcomes(client: FlagClient, options: OutcomeOptions): PageOutcomes {
  const endpoint = `${options.url.replace(/\/$/, '')}/sdk/v1/metrics?key=${encodeURIComponent(options.clientKey)}`;
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const every = options.flushIntervalMs ?? 10_000;
  const doc = typeof document === 'object' ? document : undefined;
  let cells = new Map<string, Cell>();
  let since = Date.now();
  let pausedUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The current page view: the variants it was served, and whether it was counted yet. */
  let view: { variants: Record<string, string>; counted?: boolean } | undefined;

  const cell = (flag: string, variant: string): Cell | undefined => {
    const id = `${flag}\0${variant}`;
    if (!cells.has(id) && cells.size < MAX_CELLS) cells.set(id, { flag, variant, count: 0, errors: 0, events: Object.create(null) });
    return cells.get(id);
  };
  const served = () => {
    const payload = client.snapshot();
    const variants: Record<string, string> = {};
    for (const key of payload?.tracked ?? []) {
      const r = payload?.flags[key];
      if (r?.variant && r.reason !== 'ERROR') variants[key] = r.variant;
    }
    return variants;
  };
  // A view runs while the page is visible: hidden, it has ended (and was counted).
  const open = () => {
    const variants = served();
    if (doc?.visibilityState !== 'hidden') view ??= Object.keys(variants).length ? { variants } : undefined;
  };
  const schedule = () => {
    timer ??= setTimeout(flush, Math.max(every, pausedUntil - Date.now()));
  };
  /** A page view counts once: on its first failure, or when it ends (hidden, left, variants changed). */
  const count = (failed: boolean) => {
    if (!view || view.counted) return;
    view.counted = true;
    for (const key in view.variants) {
      const c = cell(key, view.variants[key]!);
      if (c) {
        c.count++;
        c.errors += +failed;
      }
    }
    schedule();
  };
  const settle = () => {
    count(false);
    view = undefined;
  };
  const addEvent = (c: Cell, name: string, n: number, sum: number) => {
    if (!c.events[name] && Object.keys(c.events).length < MAX_EVENTS) c.events[name] = { count: 0, sum: 0 };
    const e = c.events[name];
    if (e) {
      e.count += n;
      // A sum that would overflow keeps its last finite value (the edge refuses a non-finite one).
      if (Number.isFinite(e.sum + sum)) e.sum += sum;
    }
  };
  const merge = (taken: Map<string, Cell>, from: number) => {
    since = Math.min(since, from);
    for (const t of taken.values()) {
      const c = cell(t.flag, t.variant);
      if (!c) continue;
      c.count += t.count;
      c.errors += t.errors;
      for (const name in t.events) addEvent(c, name, t.events[name]!.count, t.events[name]!.sum);
    }
  };

  function flush(beacon?: boolean) {
    clearTimeout(timer);
    timer = undefined;
    // Cells are summaries already (an empty `events` is valid on the wire).
    const summaries = [...cells.values()];
    if (!summaries.length) return;
    // The edge asked for quiet (429): what waits stays merged, bounded by the cells, until then.
    if (Date.now() < pausedUntil) return schedule();
    const body = JSON.stringify({ windowMs: Math.max(1, Date.now() - since), summaries });
    const taken = cells;
    const from = since;
    cells = new Map();
    since = Date.now();
    try {
      // A plain text body and `?key=` keep it a CORS "simple" request, which sendBeacon requires.
      if (beacon && navigator.sendBeacon?.(endpoint, body)) return;
      send(endpoint, { method: 'POST', body, keepalive: true }).then(
        (res) => {
          if (res.status === 429 || res.status >= 500) {
            pausedUntil = Date.now() + (Number(res.headers.get('retry-after')) * 1000 || 6 * every);
            merge(taken, from);
            schedule();
          }
        },
        () => {},
      );
    } catch {}
  }

  const onFailure = () => count(true);
  const onHide = () => {
    if (doc?.visibilityState === 'hidden') {
      settle();
      flush(true);
    } else open();
  };
  const onPageHide = () => {
    settle();
    flush(true);
  };
  // A tracked flag's variant changed (a rollback reached the page): the view so far ends, a new one starts.
  const unsubscribe = client.subscribe(() => {
    if (view && JSON.stringify(served()) !== JSON.stringify(view.variants)) settle();
    open();
  });
  const listeners: [EventTarget | undefined, string, () => void][] = [
    [doc, 'visibilitychange', onHide],
    [doc && globalThis, 'pagehide', onPageHide],
    [doc && globalThis, 'pageshow', open],
  ];
  if (options.captureErrors) listeners.push([doc && globalThis, 'error', onFailure], [doc && globalThis, 'unhandledrejection', onFailure]);
  for (const [target, type, fn] of listeners) target?.addEventListener(type, fn);
  open();

  return {
    track(name, value) {
      if (typeof name !== 'string' || !name || name.length > MAX_NAME || name === '__proto__') return;
      const sum = typeof value === 'number' && Number.isFinite(value) ? value : 0;
      for (const key in view?.variants) {
        const c = cell(key, view.variants[key]!);
        if (c) addEvent(c, name, 1, sum);
      }
      if (view) schedule();
    },
    error: onFailure,
    flush: () => flush(),
    close() {
      unsubscribe();
      for (const [target, type, fn] of listeners) target?.removeEventListener(type, fn);
      settle();
      flush();
    },
  };
}
