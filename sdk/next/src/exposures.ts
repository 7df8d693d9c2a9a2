import type { Exposure } from './types.ts';

/** The Worker's limits per `POST /sdk/v1/events` (EVENT_LIMITS): 500 events, 64 KiB; kept below the latter. */
export const MAX_EVENTS_PER_REQUEST = 500;
export const MAX_BODY_CHARS = 60 * 1024;

const exposureId = (e: Exposure) => `${e.flag}\u0000${e.variant ?? ''}\u0000${e.contextKey}`;

/** Splits a batch into request bodies within both limits; an exposure too large on its own is dropped. */
export function chunkExposures(events: readonly Exposure[]): { chunks: Exposure[][]; tooLarge: number } {
  const chunks: Exposure[][] = [];
  let current: Exposure[] = [];
  let size = 0;
  let tooLarge = 0;
  for (const e of events) {
    const n = JSON.stringify(e).length + 1;
    if (n + 16 > MAX_BODY_CHARS) {
      tooLarge++;
      continue;
    }
    if (current.length === MAX_EVENTS_PER_REQUEST || size + n + 16 > MAX_BODY_CHARS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += n;
  }
  if (current.length) chunks.push(current);
  return { chunks, tooLarge };
}

export interface ExposureQueueOptions {
  url: () => string | undefined;
  serverKey: () => string | undefined;
  /** Exposures wait this long to be batched with others (the flush is handed to `waitUntil`). */
  flushDelayMs?: number;
  /** Queue bound: past it new exposures are dropped, so a Worker outage cannot grow memory. */
  maxQueue?: number;
  /** How many (flag, variant, context) triples are remembered for deduplication. */
  maxRemembered?: number;
  fetchTimeoutMs?: number;
  fetch?: typeof fetch;
  onError: (error: unknown) => void;
}

/**
 * Exposure events from the middleware (an A/B rewrite is the moment a visitor sees a variant).
 * Deduplicated per (flag, variant, context key) — the same visitor reloading is one exposure —
 * batched for `flushDelayMs`, bounded, and dropped rather than retried or awaited: analytics
 * must never slow a page or hold memory while the Worker is away. A failed send forgets its
 * triples, so the next exposure of the same visitor is sent again.
 */
export class ExposureQueue {
  private queue: Exposure[] = [];
  private readonly remembered = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scheduled: Promise<void> | undefined;
  private release: (() => void) | undefined;
  dropped = 0;

  constructor(private readonly options: ExposureQueueOptions) {}

  /** Queues one exposure; returns the promise of its flush (for `waitUntil`), or undefined when deduplicated or dropped. */
  record(exposure: Exposure): Promise<void> | undefined {
    const id = exposureId(exposure);
    if (this.remembered.has(id)) return undefined;
    if (this.queue.length >= (this.options.maxQueue ?? 1_000)) {
      this.dropped++;
      return undefined;
    }
    this.remember(id);
    this.queue.push(exposure);
    if (this.queue.length >= MAX_EVENTS_PER_REQUEST) return this.flush();
    return this.schedule();
  }

  /** Sends everything queued now, in requests within the Worker's limits. Never rejects. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const release = this.release;
    this.scheduled = this.release = undefined;
    const batch = this.queue;
    this.queue = [];
    const { chunks, tooLarge } = chunkExposures(batch);
    this.dropped += tooLarge;
    await Promise.all(chunks.map((chunk) => this.send(chunk)));
    release?.();
  }

  private schedule(): Promise<void> {
    if (this.scheduled) return this.scheduled;
    this.scheduled = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.timer = setTimeout(() => void this.flush(), this.options.flushDelayMs ?? 1_000);
    return this.scheduled;
  }

  private remember(id: string): void {
    // A Set iterates in insertion order, so deleting its first entry evicts the oldest.
    if (this.remembered.size >= (this.options.maxRemembered ?? 10_000)) this.remembered.delete(this.remembered.values().next().value!);
    this.remembered.add(id);
  }

  private async send(events: Exposure[]): Promise<void> {
    const url = this.options.url();
    const key = this.options.serverKey();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.fetchTimeoutMs ?? 5_000);
    try {
      if (!url || !key) throw new Error('edgeflags: no Worker url or server key; exposures dropped');
      const res = await (this.options.fetch ?? fetch)(`${url.replace(/\/+$/, '')}/sdk/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: controller.signal,
      });
      if (!res.ok) throw new Error(`edgeflags: POST /sdk/v1/events answered ${res.status}; ${events.length} exposures dropped`);
    } catch (error) {
      this.dropped += events.length;
      for (const e of events) this.remembered.delete(exposureId(e));
      this.options.onError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
