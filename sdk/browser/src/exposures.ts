import type { Exposure } from './types.ts';

// Exposures are analytics, never worth slowing the app: the queue is bounded, a full queue or a
// failed send drops events, and nothing waits on the network. Flushes go out on a timer and,
// when the page is hidden or unloading, through sendBeacon, which the browser completes even
// after the page is gone (a plain text body and `?key=` keep it a CORS "simple" request).
const MAX_QUEUE = 100;
const MAX_SEEN = 2000;
const FLUSH_MS = 5000;

export interface ExposureQueue {
  /** Queues the event unless it was seen; `known` only marks it seen (a server reported it). */
  add(event: Exposure, known?: boolean): void;
  flush(beacon?: boolean): void;
  close(): void;
}

export function exposureQueue(endpoint: string, send: typeof fetch): ExposureQueue {
  const doc = typeof document === 'object' ? document : undefined;
  const seen = new Set<string>();
  let queue: Exposure[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Refused 429: no timed flush before the edge's Retry-After (a beacon at page hide still goes).
  let quietUntil = 0;

  const flush = (beacon?: boolean) => {
    clearTimeout(timer);
    timer = undefined;
    if (!queue.length) return;
    const quiet = quietUntil - Date.now();
    if (!beacon && quiet > 0) {
      timer = setTimeout(flush, quiet);
      return;
    }
    const body = JSON.stringify({ events: queue });
    queue = [];
    try {
      if (!(beacon && navigator.sendBeacon(endpoint, body)))
        send(endpoint, { method: 'POST', body, keepalive: true })
          .then((res) => {
            if (res.status === 429) quietUntil = Date.now() + (Number(res.headers.get('retry-after')) || 60) * 1000;
          })
          .catch(() => {});
    } catch {}
  };
  const onHide = () => {
    if (doc?.visibilityState === 'hidden') flush(true);
  };
  const onPageHide = () => flush(true);

  doc?.addEventListener('visibilitychange', onHide);
  if (doc) addEventListener('pagehide', onPageHide);
  return {
    add(event, known) {
      const id = `${event.flag}\0${event.variant}\0${event.contextKey}`;
      if (seen.has(id)) return;
      // Bounded memory: forgetting everything at the cap only costs a few duplicate events.
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.add(id);
      if (!known && queue.length < MAX_QUEUE) queue.push(event);
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    flush,
    close() {
      doc?.removeEventListener('visibilitychange', onHide);
      if (doc) removeEventListener('pagehide', onPageHide);
      flush();
    },
  };
}
