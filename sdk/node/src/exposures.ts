import type { EvaluationContext, EvaluationResult } from '@edgeflags/core';
import { ExposureDedupe } from './exposure-dedupe.ts';
import type { ExposureOptions, Logger } from './options.ts';
import { retryAfterMs } from './outcomes/outcome-recorder.ts';
import { toWireContext } from './wire.ts';

/** One line of `POST /sdk/v1/events`: which variant a context received, and why. */
export interface ExposureEvent {
  flag: string;
  /** Absent when the caller's fallback was served (reason ERROR): the Worker counts those too. */
  variant?: string;
  reason: string;
  contextKey: string;
  at: number;
  context?: EvaluationContext;
}

export interface ExposureStats {
  /** Events accepted by the Worker. */
  sent: number;
  /** Events dropped: queue full, edge unreachable, rejected, or too big to send. */
  dropped: number;
  /** Events waiting for the next batch. */
  queued: number;
}

export type SendEvents = (body: string, signal: AbortSignal) => Promise<Response>;

/** The Worker's limits per request. */
export const MAX_EVENTS_PER_REQUEST = 500;
export const MAX_BODY_BYTES = 32 * 1024;
/** Evaluations recorded between two drains; a full ring is drained on the spot. */
const RING = 8192;
/** How often recorded evaluations are deduplicated into events (also each event's `at` resolution). */
const DRAIN_MS = 250;
/** After a 404 the Worker has no events endpoint (an older deploy): stop asking for a while. */
const NOT_FOUND_PAUSE_MS = 10 * 60_000;

/**
 * Exposure events, kept off the evaluation path: `record()` only stores two references in a
 * preallocated ring (a few ns, no allocation). Deduplication, event building and sending happen
 * in `drain()`, every 250 ms or when the ring fills, and requests are never awaited by an
 * evaluation. Everything is bounded: the ring, the dedupe LRU, the queue (newest dropped when full).
 *
 * Because contexts are read at drain time, a context mutated right after an evaluation is
 * reported as mutated: evaluate with a fresh or unchanging context object.
 */
export class ExposureRecorder {
  #results: (EvaluationResult | undefined)[] = new Array(RING).fill(undefined);
  #contexts: (EvaluationContext | undefined)[] = new Array(RING).fill(undefined);
  #n = 0;
  /** The other ring: full and waiting for its drain (`#pending` > 0), or empty. */
  #fullResults: (EvaluationResult | undefined)[] = new Array(RING).fill(undefined);
  #fullContexts: (EvaluationContext | undefined)[] = new Array(RING).fill(undefined);
  #pending = 0;
  readonly #seen: ExposureDedupe;
  readonly #queue: ExposureEvent[] = [];
  readonly #opts: Required<Omit<ExposureOptions, 'contextKey'>>;
  readonly #send: SendEvents;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #timer: NodeJS.Timeout;
  #inflight: Promise<void> | undefined;
  /** Aborts whatever is in flight when close() runs out of time. */
  readonly #closing = new AbortController();
  #lastFlush = Date.now();
  #pausedUntil = 0;
  #sent = 0;
  #dropped = 0;

  constructor(options: ExposureOptions, bucketBy: (flag: string) => string, send: SendEvents, logger: Logger, requestTimeoutMs: number) {
    this.#opts = {
      sendContext: options.sendContext === true,
      flushIntervalMs: options.flushIntervalMs ?? 10_000,
      batchSize: Math.min(MAX_EVENTS_PER_REQUEST, Math.max(1, options.batchSize ?? MAX_EVENTS_PER_REQUEST)),
      maxQueue: Math.max(1, options.maxQueue ?? 10_000),
      dedupeSize: Math.max(1, options.dedupeSize ?? 10_000),
    };
    this.#seen = new ExposureDedupe(this.#opts.dedupeSize, bucketBy, options.contextKey);
    this.#send = send;
    this.#logger = logger;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#timer = setInterval(() => this.#tick(), Math.min(DRAIN_MS, this.#opts.flushIntervalMs));
    this.#timer.unref();
  }

  /** The hot path: two stores and an increment. */
  record(result: EvaluationResult, ctx: EvaluationContext): void {
    let i = this.#n;
    if (i === RING) {
      this.#rotate();
      i = 0;
    }
    this.#results[i] = result;
    this.#contexts[i] = ctx;
    this.#n = i + 1;
  }

  /**
   * A full ring is drained on the next turn of the event loop (between requests, not inside
   * one) while the other takes new records. Only a caller that fills the second ring without
   * ever yielding, like a benchmark loop, pays for a drain inline.
   */
  #rotate(): void {
    if (this.#pending > 0) this.#drainRing(this.#fullResults, this.#fullContexts, this.#pending, Date.now());
    [this.#results, this.#fullResults] = [this.#fullResults, this.#results];
    [this.#contexts, this.#fullContexts] = [this.#fullContexts, this.#contexts];
    this.#pending = RING;
    this.#n = 0;
    setImmediate(() => this.drain()).unref();
  }

  stats(): ExposureStats {
    return { sent: this.#sent, dropped: this.#dropped, queued: this.#queue.length };
  }

  /** Turns recorded evaluations into deduplicated events; sends a batch as soon as one is full. */
  drain(): void {
    const at = Date.now();
    if (this.#pending > 0) this.#drainRing(this.#fullResults, this.#fullContexts, this.#pending, at);
    const n = this.#n;
    this.#n = 0;
    this.#drainRing(this.#results, this.#contexts, n, at);
    if (this.#queue.length >= this.#opts.batchSize) void this.flush();
  }

  #drainRing(results: (EvaluationResult | undefined)[], contexts: (EvaluationContext | undefined)[], n: number, at: number): void {
    if (results === this.#fullResults) this.#pending = 0;
    let prevResult: EvaluationResult | undefined;
    let prevCtx: EvaluationContext | undefined;
    for (let i = 0; i < n; i++) {
      const r = results[i]!;
      const ctx = contexts[i]!;
      results[i] = undefined;
      contexts[i] = undefined;
      // The same request checking the same flag twice in a row is common and cheap to skip.
      if (r === prevResult && ctx === prevCtx) continue;
      prevResult = r;
      prevCtx = ctx;
      this.#consider(r, ctx, at);
    }
  }

  #consider(r: EvaluationResult, ctx: EvaluationContext, at: number): void {
    // A key the snapshot does not hold exposed nobody to anything (and the Worker refuses it);
    // a context that is not an object names nobody (and reading attributes off null would throw).
    if (r.errorCode === 'FLAG_NOT_FOUND' || r.errorCode === 'INVALID_CONTEXT') return;
    const contextKey = this.#seen.fresh(r, ctx);
    if (contextKey === undefined) return;
    if (this.#queue.length >= this.#opts.maxQueue) {
      // Not remembered: the next evaluation for it gets another chance once there is room.
      this.#dropped++;
      return;
    }
    this.#seen.remember(r, contextKey);
    const event: ExposureEvent = { flag: r.key, reason: r.reason, contextKey, at };
    // Errors served the caller's fallback, not a variant: reported without one, so they show.
    if (r.variant !== undefined && r.reason !== 'ERROR') event.variant = r.variant;
    if (this.#opts.sendContext) event.context = toWireContext(ctx);
    this.#queue.push(event);
  }

  /** Sends one batch (if none is in flight). Never rejects; failures drop the batch. */
  flush(timeoutMs = this.#requestTimeoutMs): Promise<void> {
    if (this.#inflight) return this.#inflight;
    this.#lastFlush = Date.now();
    if (this.#queue.length === 0 || Date.now() < this.#pausedUntil) return Promise.resolve();
    const { body, count } = this.#takeBatch();
    if (count === 0) return Promise.resolve();
    this.#inflight = this.#send(body, AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#closing.signal]))
      .then((res) => this.#settle(res.status, count, res.headers.get('retry-after')))
      .catch((e: unknown) => {
        this.#dropped += count;
        this.#pausedUntil = Date.now() + this.#opts.flushIntervalMs;
        this.#logger.warn(`edgeflags: ${count} exposure events dropped: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  #settle(status: number, count: number, retryAfter: string | null = null): void {
    if (status >= 200 && status < 300) {
      this.#sent += count;
      return;
    }
    this.#dropped += count;
    if (status === 404) {
      this.#pausedUntil = Date.now() + NOT_FOUND_PAUSE_MS;
      this.#logger.warn('edgeflags: this Worker has no POST /sdk/v1/events; exposures paused for 10 minutes');
    } else {
      // 429 and 5xx: one flush interval of quiet, or the edge's Retry-After if longer, so a struggling edge is not hammered.
      const asked = status === 429 ? (retryAfterMs(retryAfter, Date.now()) ?? 0) : 0;
      this.#pausedUntil = Date.now() + Math.max(this.#opts.flushIntervalMs, asked);
      this.#logger.warn(`edgeflags: events endpoint answered ${status}; ${count} exposure events dropped`);
    }
  }

  /** Up to `batchSize` events whose JSON fits the Worker's body limit; an event too big alone is dropped. */
  #takeBatch(): { body: string; count: number } {
    const parts: string[] = [];
    let bytes = '{"events":[]}'.length;
    let taken = 0;
    while (taken < this.#queue.length && parts.length < this.#opts.batchSize) {
      const json = JSON.stringify(this.#queue[taken]);
      const size = Buffer.byteLength(json) + 1;
      if (bytes + size > MAX_BODY_BYTES) {
        if (parts.length > 0) break;
        this.#dropped++;
        taken++;
        continue;
      }
      parts.push(json);
      bytes += size;
      taken++;
    }
    this.#queue.splice(0, taken);
    return { body: `{"events":[${parts.join(',')}]}`, count: parts.length };
  }

  #tick(): void {
    this.drain();
    if (Date.now() - this.#lastFlush >= this.#opts.flushIntervalMs) void this.flush();
  }

  /** Stops the timer and sends what is left, giving up after `timeoutMs` in total. */
  async close(timeoutMs = 2000): Promise<void> {
    clearInterval(this.#timer);
    this.drain();
    const deadline = Date.now() + timeoutMs;
    const giveUp = setTimeout(() => this.#closing.abort(new Error('closed')), timeoutMs);
    giveUp.unref();
    // A paused sender (404, or an edge that just failed) is not retried on the way out either.
    while (this.#queue.length > 0 || this.#inflight) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await this.flush(left);
      if (this.#pausedUntil > Date.now()) break;
    }
    clearTimeout(giveUp);
    this.#dropped += this.#queue.length;
    this.#queue.length = 0;
  }
}
