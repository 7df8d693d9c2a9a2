import type { Snapshot } from '@edgeflags/core';
import type { ResolvedOptions } from './options.ts';
import { backoffMs, unrefTimeout } from './options.ts';
import { retryAfterMs } from './outcomes/outcome-recorder.ts';
import { isSnapshot } from './persistence.ts';
import { ChangeStream } from './stream.ts';

export interface SyncTarget {
  /** The version and ETag currently served. */
  current(): { version: number; etag: string | undefined };
  /** Compiles and swaps a snapshot in; false if it was rejected (malformed). */
  apply(snapshot: Snapshot, etag: string | undefined, from: 'poll' | 'stream'): boolean;
}

export interface SyncStatus {
  streaming: boolean;
  lastSyncAt: number | undefined;
  lastError: string | undefined;
}

/** On a stream drop, poll this soon: the edge may only have closed one connection. */
const POLL_AFTER_DROP_MS = 1000;
/** While streaming, a conditional GET this often anyway: a 304 is cheap insurance against a lost push. */
const STREAMING_POLL_MS = 300_000;

/**
 * Keeps the snapshot fresh: polls `GET /sdk/v1/snapshot` with `If-None-Match` until the stream is
 * live, then lets the stream carry changes; whenever the stream drops, polling resumes. Nothing
 * here throws or blocks an evaluation: a failed round keeps the last known good snapshot.
 */
export class SnapshotSync {
  readonly #o: ResolvedOptions;
  readonly #target: SyncTarget;
  readonly #stream: ChangeStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<boolean> | undefined;
  #failures = 0;
  /** The edge answered 429 with Retry-After: no request before this time (epoch ms). */
  #quietUntil = 0;
  #closed = false;
  #streamStarted = false;
  readonly status: SyncStatus = { streaming: false, lastSyncAt: undefined, lastError: undefined };

  constructor(options: ResolvedOptions, target: SyncTarget) {
    this.#o = options;
    this.#target = target;
    if (options.stream) {
      this.#stream = new ChangeStream(
        {
          url: options.url,
          serverKey: options.serverKey,
          transport: options.stream,
          fetch: options.fetch,
          logger: options.logger,
          connectTimeoutMs: options.requestTimeoutMs,
          lastEventId: () => target.current().version || undefined,
        },
        {
          onMessage: (m) => {
            this.status.lastSyncAt = Date.now();
            if (m.type === 'hello' || m.id <= target.current().version) return true;
            if (!isSnapshot(m.snapshot)) return false;
            return target.apply(m.snapshot, m.etag, 'stream');
          },
          onLive: (live) => this.#onLive(live),
        },
      );
    }
  }

  start(): void {
    void this.#round();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stream?.close();
  }

  /** One conditional GET; resolves whether it succeeded (a 304 counts). */
  poll(): Promise<boolean> {
    // Rate limited: a nudge or a caller's poll waits out the edge's Retry-After instead of adding to the flood.
    if (Date.now() < this.#quietUntil) return Promise.resolve(false);
    this.#polling ??= this.#fetchSnapshot().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #fetchSnapshot(): Promise<boolean> {
    const { etag } = this.#target.current();
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#o.serverKey}` };
    if (etag) headers['If-None-Match'] = etag;
    try {
      const res = await this.#o.fetch(`${this.#o.url}/sdk/v1/snapshot`, { headers, signal: AbortSignal.timeout(this.#o.requestTimeoutMs) });
      if (res.status === 304) return this.#ok();
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        if (res.status === 429) this.#quietUntil = Date.now() + (retryAfterMs(res.headers.get('retry-after'), Date.now()) ?? 0);
        return this.#fail(`GET /sdk/v1/snapshot answered ${res.status}`, res.status === 401 || res.status === 403);
      }
      const body: unknown = await res.json();
      if (!isSnapshot(body)) return this.#fail('GET /sdk/v1/snapshot returned something that is not a snapshot', true);
      if (!this.#target.apply(body, res.headers.get('etag') ?? undefined, 'poll')) return this.#fail('snapshot rejected', true);
      return this.#ok();
    } catch (e) {
      return this.#fail(describe(e), false);
    }
  }

  #ok(): boolean {
    this.#failures = 0;
    this.status.lastSyncAt = Date.now();
    this.status.lastError = undefined;
    return true;
  }

  #fail(message: string, loud: boolean): boolean {
    this.#failures++;
    // Repeated network errors are logged once per outage, not once per retry. The message says
    // what is served, so an operator reading it during an outage knows: the last rules, or none.
    const version = this.#target.current().version;
    const serving = version > 0 ? `serving the last known snapshot (v${version})` : 'no snapshot yet: evaluations return their fallbacks';
    if (loud || this.status.lastError === undefined) this.#o.logger.warn(`edgeflags: ${message}; ${serving}; retrying`);
    this.status.lastError = message;
    return false;
  }

  /** Polls unless the stream is live, then schedules the next round. */
  async #round(): Promise<void> {
    if (this.#closed) return;
    let ok = true;
    const due = !this.status.streaming || Date.now() - (this.status.lastSyncAt ?? 0) >= STREAMING_POLL_MS;
    if (due) ok = await this.poll();
    if (this.#closed) return;
    // The stream starts after the first poll, so it resumes from that version and gets a
    // `hello` instead of downloading the same snapshot a second time.
    if (this.#stream && !this.#streamStarted) {
      this.#streamStarted = true;
      this.#stream.start();
    }
    // After a 429 the next try comes after Retry-After, jittered so a fleet refused together does not return together.
    const quiet = Math.max(0, this.#quietUntil - Date.now());
    const retry = quiet > 0 ? quiet + Math.random() * 1000 : backoffMs(this.#failures, 1000, this.#o.pollIntervalMs);
    this.#schedule(ok ? this.#o.pollIntervalMs : retry);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = unrefTimeout(() => void this.#round(), ms);
  }

  #onLive(live: boolean): void {
    const was = this.status.streaming;
    this.status.streaming = live;
    if (was && !live && !this.#closed) this.#schedule(POLL_AFTER_DROP_MS);
  }
}

/** `TypeError: fetch failed (ECONNREFUSED)`: undici hides the reason in `cause`. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return `${e.name}: ${e.message}${why ? ` (${why})` : ''}`;
}
