import { compileSnapshot, type FlagSnapshot, type Snapshot } from '@edgeflags/core';

/** The least a body must be to stand in for the held snapshot (compiling checks the rest). */
function isSnapshot(body: unknown): body is Snapshot {
  const s = body as Partial<Snapshot> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.environment === 'string' && typeof s.version === 'number' && Array.isArray(s.flags)
  );
}

export interface SnapshotSourceOptions {
  url: () => string | undefined;
  serverKey: () => string | undefined;
  /** A held snapshot is revalidated (ETag) at most this often; also the retry interval when the Worker is down. */
  revalidateMs: number;
  /** How long the very first request waits for the first snapshot before serving defaults. */
  initialTimeoutMs: number;
  /** Upper bound on one snapshot request, so a hung connection cannot stall revalidation. */
  fetchTimeoutMs: number;
  fetch?: typeof fetch;
  onError: (error: unknown) => void;
  now?: () => number;
}

export interface SnapshotRead {
  snapshot: FlagSnapshot | undefined;
  /** A revalidation started by this read: hand it to `event.waitUntil` so serverless hosts finish it. */
  pending?: Promise<void>;
}

/**
 * The snapshot held in module scope, one per isolate or Node process: stale-while-revalidate.
 * Once a snapshot is held, no request waits on the network — a read past `revalidateMs`
 * returns the held one and revalidates in the background, so a kill switch shows up within
 * about `revalidateMs` plus one round trip (given traffic). Only while no attempt has finished
 * yet does a request wait, and only within `initialTimeoutMs` of the first request (a hung cold
 * start delays requests by that much once, not per request); after a failed attempt
 * requests get defaults at once and the Worker is retried every `revalidateMs`, never per request.
 * The last good snapshot is kept for as long as the Worker stays unreachable.
 */
export class SnapshotSource {
  private snapshot: FlagSnapshot | undefined;
  private etag: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private settledOnce = false;
  /** End of the cold-start window: requests before it may wait for the first snapshot, none after. */
  private coldUntil: number | undefined;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SnapshotSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  async read(): Promise<SnapshotRead> {
    const now = this.now();
    this.coldUntil ??= now + this.options.initialTimeoutMs;
    const pending = now - this.checkedAt >= this.options.revalidateMs ? this.revalidate() : undefined;
    const wait = this.coldUntil - now;
    if (!this.snapshot && !this.settledOnce && this.inflight && wait > 0) await this.waitAtMost(this.inflight, wait);
    return pending ? { snapshot: this.snapshot, pending } : { snapshot: this.snapshot };
  }

  /** Starts one revalidation, or joins the one in flight. Never rejects. */
  revalidate(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.checkedAt = this.now();
    this.inflight = this.fetchOnce()
      .catch((error: unknown) => this.options.onError(this.described(error)))
      .finally(() => {
        this.settledOnce = true;
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    const url = this.options.url();
    const key = this.options.serverKey();
    if (!url || !key) throw this.failure('no Worker url or server key (EDGEFLAGS_URL, EDGEFLAGS_SERVER_KEY)');
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
    if (this.etag && this.snapshot) headers['if-none-match'] = this.etag;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.fetchTimeoutMs);
    try {
      const res = await (this.options.fetch ?? fetch)(`${url.replace(/\/+$/, '')}/sdk/v1/snapshot`, {
        headers,
        signal: controller.signal,
        cache: 'no-store',
      });
      if (res.status === 304) return;
      if (!res.ok) throw this.failure(`GET /sdk/v1/snapshot answered ${res.status}`);
      let body: unknown;
      try {
        body = await res.json();
      } catch (error) {
        throw this.failure(`GET /sdk/v1/snapshot sent an unreadable body (${error instanceof Error ? error.message : String(error)})`);
      }
      // Only a snapshot's shape replaces the held one: last known good wins over a proxy's page.
      if (!isSnapshot(body)) throw this.failure('GET /sdk/v1/snapshot sent something that is not a snapshot');
      this.snapshot = compileSnapshot(body);
      this.etag = res.headers.get('etag') ?? undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Network errors (refused, aborted) get the same account of what is served. */
  private described(error: unknown): unknown {
    if (error instanceof Error && error.message.startsWith('edgeflags: ')) return error;
    const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const what =
      error instanceof Error ? `${error.name}: ${error.message}${typeof cause === 'string' ? ` (${cause})` : ''}` : String(error);
    return this.failure(`GET /sdk/v1/snapshot failed: ${what}`);
  }

  /** An error that says what requests are served meanwhile: the last snapshot, or defaults. */
  private failure(what: string): Error {
    const serving = this.snapshot ? `keeping snapshot v${this.snapshot.version}` : 'no snapshot yet: serving defaults';
    return new Error(`edgeflags: ${what}; ${serving}`);
  }

  private async waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([promise, timeout]);
    clearTimeout(timer);
  }
}
