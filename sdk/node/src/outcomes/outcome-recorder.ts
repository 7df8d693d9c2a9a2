import { METRICS_LIMITS, type OutcomeSummary } from '@edgeflags/core';
import { backoffMs, type Logger } from '../options.ts';
import { type EventTotals, OutcomeTable } from './outcome-table.ts';

export interface OutcomeOptions {
  /** A window's summaries are sent this often (default 10 s). */
  flushIntervalMs?: number;
  /** Flag × variant cells held at once (default 1,000); outcomes for new cells beyond it are dropped and counted. */
  maxCells?: number;
}

export interface OutcomeStats {
  /** Summaries the Worker accepted (its 202 answer's `accepted`). */
  sent: number;
  /** Summaries the Worker answered as not admissible: the flag's plan ended, or a variant it does not have. */
  refused: number;
  /** Outcomes lost (requests, or events outside one): cell cap, full cells, refused event names, refused payloads, unsent on close. */
  dropped: number;
  /** Cells waiting for the next flush. */
  cells: number;
  /** While the Worker asked for quiet (429 Retry-After) or failed: no send before this time (epoch ms). */
  pausedUntil: number | undefined;
}

export type SendMetrics = (body: string, signal: AbortSignal) => Promise<Response>;

/** After a 404 the Worker has no metrics endpoint (an older deploy): stop asking for a while. */
const NOT_FOUND_PAUSE_MS = 10 * 60_000;
/** A Retry-After longer than this is read as this: one bad header must not silence a release for hours. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
const encoder = new TextEncoder();

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

/** Request bodies within the edge's limits: at most 200 summaries and 256 KiB each; a summary too big alone is dropped. */
export function metricsBodies(
  windowMs: number,
  summaries: readonly OutcomeSummary[],
): {
  bodies: { body: string; summaries: OutcomeSummary[] }[];
  tooBig: OutcomeSummary[];
} {
  const head = `{"windowMs":${windowMs},"summaries":[`;
  const bodies: { body: string; summaries: OutcomeSummary[] }[] = [];
  let parts: string[] = [];
  let taken: OutcomeSummary[] = [];
  let bytes = head.length + 2;
  const tooBig: OutcomeSummary[] = [];
  const close = () => {
    if (parts.length > 0) bodies.push({ body: `${head}${parts.join(',')}]}`, summaries: taken });
    parts = [];
    taken = [];
    bytes = head.length + 2;
  };
  for (const s of summaries) {
    const json = JSON.stringify(s);
    const size = encoder.encode(json).length + 1;
    if (head.length + 2 + size > METRICS_LIMITS.bodyBytes) {
      tooBig.push(s);
      continue;
    }
    if (parts.length === METRICS_LIMITS.summaries || bytes + size > METRICS_LIMITS.bodyBytes) close();
    parts.push(json);
    taken.push(s);
    bytes += size;
  }
  close();
  return { bodies, tooBig };
}

/**
 * Outcomes for flags under a release plan, off the request path: `record()` updates a counter
 * cell in memory (no I/O, no allocation once the cell exists) and a timer sends the window's
 * summaries to `POST /sdk/v1/metrics`. Nothing here is awaited by a request or throws to one.
 * When the Worker answers 429 (or fails), the unsent summaries are folded back into the live
 * window and nothing is sent until its Retry-After (else an exponential backoff): memory stays
 * the table's bound however long the edge asks for quiet, and no outcome is counted twice.
 * Runtime-neutral (fetch and timers only), so @edgeflags/next uses it in route handlers too.
 */
export class OutcomeRecorder {
  readonly #table: OutcomeTable;
  readonly #send: SendMetrics;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #flushIntervalMs: number;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #closing = new AbortController();
  #inflight: Promise<void> | undefined;
  #pausedUntil = 0;
  #failures = 0;
  #sent = 0;
  #refused = 0;
  #dropped = 0;
  #closed = false;

  constructor(options: OutcomeOptions, send: SendMetrics, logger: Logger, requestTimeoutMs: number, now: () => number = Date.now) {
    this.#flushIntervalMs = positive(options.flushIntervalMs, 10_000);
    this.#table = new OutcomeTable(positive(options.maxCells, 1_000), now());
    this.#send = send;
    this.#logger = logger;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#now = now;
    this.#timer = setInterval(() => void this.flush(), this.#flushIntervalMs);
    // Node: outcomes never keep a finished process alive (close() sends the last window).
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** One finished request (or scope) for which `flag` served `variant`. */
  record(flag: string, variant: string, ms: number | undefined, failed: boolean, events?: EventTotals): void {
    if (this.#closed) return;
    this.#table.record(flag, variant, ms, failed, events);
    if (this.#table.full) void this.flush();
  }

  /** A named event for a variant, outside any request scope. */
  event(flag: string, variant: string, name: string, value: number): void {
    if (!this.#closed) this.#table.event(flag, variant, name, value);
  }

  stats(): OutcomeStats {
    const { cells, dropped } = this.#table.stats();
    return {
      sent: this.#sent,
      refused: this.#refused,
      dropped: this.#dropped + dropped,
      cells,
      pausedUntil: this.#pausedUntil > this.#now() ? this.#pausedUntil : undefined,
    };
  }

  /** Sends the window when it is at least one interval old (serverless hosts call this after a response). */
  flushIfDue(): Promise<void> | undefined {
    return this.#now() - this.#table.startedAt >= this.#flushIntervalMs ? this.flush() : undefined;
  }

  /** Ends the window and sends it, unless a send is in flight or the Worker asked for quiet. Never rejects. */
  flush(timeoutMs = this.#requestTimeoutMs): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const now = this.#now();
    if (now < this.#pausedUntil || this.#table.size === 0) return Promise.resolve();
    const window = this.#table.take(now);
    const { bodies, tooBig } = metricsBodies(window.windowMs, window.summaries);
    this.#dropped += outcomes(tooBig);
    this.#inflight = this.#sendAll(bodies, window.startedAt, timeoutMs).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #sendAll(bodies: { body: string; summaries: OutcomeSummary[] }[], startedAt: number, timeoutMs: number): Promise<void> {
    for (let i = 0; i < bodies.length; i++) {
      const { body, summaries } = bodies[i]!;
      let status: number;
      let retryAfter: string | null = null;
      let answer: { accepted?: unknown; dropped?: unknown } | undefined;
      try {
        const res = await this.#send(body, AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#closing.signal]));
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        if (res.ok) answer = (await res.json().catch(() => undefined)) as typeof answer;
        else await res.body?.cancel().catch(() => {});
      } catch (e) {
        status = 0;
        if (!this.#closed) this.#logger.warn(`edgeflags: metrics not sent: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (status >= 200 && status < 300) {
        // The 202 says how many the edge kept: summaries for a flag whose plan just ended are dropped there.
        const accepted = typeof answer?.accepted === 'number' ? answer.accepted : summaries.length;
        this.#sent += accepted;
        this.#refused += summaries.length - accepted;
        this.#failures = 0;
        continue;
      }
      if (status === 0 || status === 429 || status >= 500) {
        // Not taken: this and every later body go back into the live window, sent after the pause.
        for (const rest of bodies.slice(i)) this.#table.absorb(rest.summaries, startedAt);
        const asked = status === 429 ? retryAfterMs(retryAfter, this.#now()) : undefined;
        this.#pausedUntil = this.#now() + (asked ?? backoffMs(this.#failures++, this.#flushIntervalMs, 5 * 60_000));
        if (status !== 0)
          this.#logger.warn(`edgeflags: metrics endpoint answered ${status}; retrying after ${this.#pausedUntil - this.#now()} ms`);
        return;
      }
      this.#dropped += outcomes(summaries);
      if (status === 404) {
        this.#pausedUntil = this.#now() + NOT_FOUND_PAUSE_MS;
        this.#logger.warn('edgeflags: this Worker has no POST /sdk/v1/metrics; outcomes paused for 10 minutes');
      } else {
        this.#logger.warn(`edgeflags: metrics refused with ${status}; ${summaries.length} summaries dropped`);
      }
    }
  }

  /** Stops the timer and sends the last window, giving up after `timeoutMs`; what is left is counted as dropped. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    let giveUp: ReturnType<typeof setTimeout> | undefined;
    // Aborting is not enough on its own: an injected send may ignore its signal, and close() must still end.
    const deadline = new Promise<void>((resolve) => {
      giveUp = setTimeout(() => {
        this.#closing.abort(new Error('closed'));
        resolve();
      }, timeoutMs);
    });
    const last = (async () => {
      await this.#inflight;
      // A Worker that asked for quiet is not pressed on the way out: a paused window is dropped (and counted).
      await this.flush(timeoutMs);
    })();
    await Promise.race([last, deadline]);
    this.#closed = true;
    clearTimeout(giveUp);
    this.#dropped += outcomes(this.#table.take(this.#now()).summaries);
  }
}

/** Requests a list of summaries stands for (an events-only summary counts as one). */
const outcomes = (summaries: readonly OutcomeSummary[]): number => summaries.reduce((n, s) => n + Math.max(1, s.count), 0);

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
