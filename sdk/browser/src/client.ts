import { exposureQueue } from './exposures.ts';
import { openStream } from './stream.ts';
import type { ClientOptions, Context, FlagClient, FlagResult, FlagStorage, Payload } from './types.ts';

/** A change can reach the stream before the edge isolate's snapshot copy (bounded at 4 s, docs/scale.md): retry. */
const STALE_RETRY_MS = 1000;
const STALE_RETRIES = 5;
/**
 * A change every browser must refetch would reach the edge from all of them at once: each waits a
 * random delay of up to this long (docs/scale.md §2). A change with one answer for everyone
 * arrives with its values and is applied at once, with no request.
 */
const REFETCH_JITTER_MS = 2000;

const browserStorage = (): FlagStorage | undefined => {
  try {
    return typeof document === 'object' ? localStorage : undefined;
  } catch {
    // Privacy modes throw on access; the client then simply has no cache.
    return undefined;
  }
};

/** Booleans are their value; a variant flag is enabled unless switched off or in error. */
export const enabled = (r: FlagResult | undefined): boolean =>
  !!r && (typeof r.value === 'boolean' ? r.value : r.reason !== 'DISABLED' && r.reason !== 'ERROR');

export function createClient(options: ClientOptions): FlagClient {
  const { clientKey, bootstrap, storage = browserStorage() } = options;
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  // The public client key rides in the URL and the body goes as text/plain: the POST is then a
  // CORS "simple" request, so a cross-origin page pays no preflight round trip before first paint.
  const base = `${options.url.replace(/\/$/, '')}/sdk/v1/`;
  const auth = `?key=${encodeURIComponent(clientKey)}`;
  const cacheKey = `edgeflags:${clientKey}`;
  const listeners = new Map<string, Set<() => void>>();
  const exposures = options.exposures === false ? undefined : exposureQueue(`${base}events${auth}`, send);
  // Only a missing context is an empty one: anything else goes to the edge, whose core judges it.
  let context: Context = options.context === undefined ? {} : options.context;
  let payload = bootstrap ?? cached();
  let loading = !payload;
  let seq = 0;
  let closed = false;
  let closeStream: (() => void) | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** The newest version a refetch was asked for: pushed values apply only when none is outstanding. */
  let wanted = 0;
  let warned = false;
  // Refused 429: nothing is sent before the edge's Retry-After (epoch ms).
  let quietUntil = 0;
  const timeoutMs = options.timeoutMs ?? 5000;

  function cached(): Payload | undefined {
    try {
      const entry = JSON.parse(storage?.getItem(cacheKey) ?? 'null');
      // Only this very context's answer: another user's cached flags would be wrong, not stale.
      return entry?.c === JSON.stringify(context) ? entry.p : undefined;
    } catch {
      return undefined;
    }
  }

  function emit(keys?: string[]) {
    for (const [key, set] of listeners) if (!keys || key === '' || keys.includes(key)) for (const l of set) l();
  }

  function apply(next: Payload) {
    const prev = payload?.flags ?? {};
    const changed: string[] = [];
    for (const key in next.flags) {
      // Unchanged results keep their identity, so readers comparing by reference do not re-render.
      if (JSON.stringify(prev[key]) === JSON.stringify(next.flags[key])) next.flags[key] = prev[key]!;
      else changed.push(key);
    }
    for (const key in prev) if (!(key in next.flags)) changed.push(key);
    payload = next;
    try {
      storage?.setItem(cacheKey, JSON.stringify({ c: JSON.stringify(context), p: next }));
    } catch {}
    if (changed.length) emit(changed);
  }

  async function evaluate(want = 0, tries = STALE_RETRIES): Promise<void> {
    const mine = ++seq;
    clearTimeout(retry);
    // While refused, the latest wish goes once Retry-After has passed, jittered so a page fleet spreads out.
    const quiet = quietUntil - Date.now();
    if (quiet > 0) {
      retry = setTimeout(() => evaluate(want, tries), quiet + Math.random() * 1000);
      return;
    }
    let failure: unknown;
    try {
      // Bounded: a hung edge must not keep `ready()` or `loading` waiting forever.
      const signal = AbortSignal.timeout(timeoutMs);
      // A refetch names the change it answers (0: none), and the edge counts it in its own rate-limit budget.
      const res = await send(`${base}evaluate${auth}&refetch=${want}`, {
        method: 'POST',
        body: JSON.stringify({ context }),
        signal,
      });
      const next: Payload = res.ok ? await res.json() : undefined;
      // Only a payload's shape is accepted: a proxy's error page or a 5xx keeps what is served.
      if (typeof next?.version !== 'number' || typeof next.flags !== 'object' || !next.flags) {
        failure = res.ok ? 'no flags' : res.status;
        if (res.status === 429) {
          quietUntil = Date.now() + (Number(res.headers.get('retry-after')) || 60) * 1000;
          if (mine === seq && !closed) evaluate(want, tries);
        }
      }
      // A newer evaluation (another context, a later change) already owns the state.
      else if (mine === seq && !closed) {
        apply(next);
        if (next.version < want && tries) retry = setTimeout(() => evaluate(want, tries - 1), STALE_RETRY_MS);
      }
    } catch (e) {
      failure = e;
    }
    // Once per outage, and saying what the page now shows.
    if (failure && !warned)
      console.warn(`edgeflags: evaluate failed (${failure}); ${payload ? 'keeping the flags held' : 'serving fallbacks'}`);
    warned = !!failure;
    if (loading) {
      loading = false;
      emit();
    }
  }

  function read(key: string, known?: boolean): FlagResult | undefined {
    const r = payload?.flags[key];
    const contextKey = context?.targetingKey ?? context?.userId;
    // An exposure nobody can be attributed to is useless for an experiment: anonymous reads are not sent.
    if (r && contextKey)
      exposures?.add({ flag: key, variant: r.variant, reason: r.reason, contextKey: `${contextKey}`, at: Date.now() }, known);
    return r;
  }
  // What the server already reported for this bootstrap (an A/B rewrite) is not reported twice.
  for (const key of bootstrap?.exposed ?? []) read(key, true);

  // Bootstrapped: the server evaluated this context a moment ago, and the stream's lastEventId
  // brings a refetch if anything changed since, so no request is needed before first paint.
  const first = bootstrap ? Promise.resolve() : evaluate();
  const ready = first.then(() => !!payload);
  // Every browser has WebSocket (and EventSource, the stream's fallback).
  if (options.stream !== false && typeof WebSocket === 'function') {
    first.then(() => {
      if (!closed) {
        closeStream = openStream(
          `${base}stream${auth}`,
          () => payload?.version,
          ({ id, values }) => {
            if (payload && id <= payload.version) return;
            // Values for everyone: applied now, unless a refetch for an earlier change is still out.
            if (values && payload && wanted <= payload.version) apply({ ...payload, version: id, flags: { ...payload.flags, ...values } });
            else {
              wanted = id;
              clearTimeout(retry);
              retry = setTimeout(evaluate, Math.random() * REFETCH_JITTER_MS, id);
            }
          },
        );
      }
    });
  }

  return {
    ready: () => ready,
    get loading() {
      return loading;
    },
    isEnabled: (key) => enabled(read(key)),
    variant: (key) => read(key)?.variant as never,
    value(key, fallback) {
      const v = read(key)?.value;
      return (v != null && typeof v === typeof fallback ? v : fallback) as never;
    },
    result: (key) => read(key) as never,
    setContext(next) {
      context = next;
      return evaluate();
    },
    subscribe(listener, key) {
      const set = listeners.get(key ?? '') ?? new Set();
      listeners.set(key ?? '', set.add(listener));
      return () => set.delete(listener);
    },
    snapshot: () => payload,
    close() {
      closed = true;
      clearTimeout(retry);
      closeStream?.();
      exposures?.close();
    },
  };
}
