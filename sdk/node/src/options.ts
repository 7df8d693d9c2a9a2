import type { EvaluationContext, Snapshot } from '@edgeflags/core';
import type { OutcomeOptions } from './outcomes/outcome-recorder.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface Logger {
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface ExposureOptions {
  /** Send each exposure's evaluation context along with it (default false: only `contextKey`). */
  sendContext?: boolean;
  /** A batch is sent at least this often while events are waiting (default 10 s). */
  flushIntervalMs?: number;
  /** Events per request, at most 500 (the Worker's limit). */
  batchSize?: number;
  /** Events waiting to be sent; newer ones are dropped when full (default 10,000). */
  maxQueue?: number;
  /** flag + variant + context key triples remembered for deduplication (default 50,000). */
  dedupeSize?: number;
  /** Derives the key an exposure is counted under; the flag's bucketing attribute, else targetingKey / userId. */
  contextKey?: (ctx: EvaluationContext, flag: string) => string | undefined;
}

export interface ClientOptions {
  /** The edgeflags Worker, e.g. `https://flags.example.com`. Omit together with `serverKey` for offline mode. */
  url?: string;
  /** A server key (`efs_…`): it downloads rules, so keep it on the server. */
  serverKey?: string;
  /** Never touch the network: evaluate `snapshot` or `snapshotFile` only. */
  offline?: boolean;
  /** A snapshot to start from (e.g. bundled with the app); the network replaces it when newer. */
  snapshot?: Snapshot;
  /**
   * A file holding the last known good snapshot: read at start (so a restart while the edge is
   * down still serves the last rules) and rewritten after every change. Offline mode reads it only.
   */
  snapshotFile?: string;
  /** Push transport: `websocket` (default where available), `sse`, or `false` to only poll. */
  stream?: 'websocket' | 'sse' | false;
  /** Poll interval while the stream is down or disabled (default 30 s). */
  pollIntervalMs?: number;
  /** Per request: a snapshot download or an events batch that takes longer is abandoned (default 10 s). */
  requestTimeoutMs?: number;
  /** `ready()` resolves `false` after this long without a snapshot (default 5 s). */
  readyTimeoutMs?: number;
  /** Exposure events to `POST /sdk/v1/events`: on by default, `false` turns them off. */
  exposures?: boolean | ExposureOptions;
  /**
   * Outcomes (duration, errors, named events) of scopes (`wrap`, `run`, `measure`) for flags under
   * a release plan, sent to `POST /sdk/v1/metrics`. On by default and free while no plan is live;
   * `false` turns them off.
   */
  outcomes?: boolean | OutcomeOptions;
  /** Injected for tests, proxies and fault injection. Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Where problems are reported; the client never throws them at the app. Default `console`, `false` silences it. */
  logger?: Logger | false;
  /** The clock scheduled switches in the snapshot are applied by (epoch ms). Injected for tests; default `Date.now`. */
  now?: () => number;
}

export interface ResolvedOptions {
  url: string;
  serverKey: string;
  offline: boolean;
  snapshot: Snapshot | undefined;
  snapshotFile: string | undefined;
  stream: 'websocket' | 'sse' | false;
  pollIntervalMs: number;
  requestTimeoutMs: number;
  readyTimeoutMs: number;
  exposures: ExposureOptions | false;
  outcomes: OutcomeOptions | false;
  fetch: FetchLike;
  logger: Logger;
  now: () => number;
}

const SILENT: Logger = { warn() {}, error() {} };

/** Defaults live here, in one place; bad values fall back to defaults instead of throwing. */
export function resolveOptions(o: ClientOptions): ResolvedOptions {
  const offline = o.offline === true || !o.url || !o.serverKey;
  const stream = o.stream ?? (typeof globalThis.WebSocket === 'function' ? 'websocket' : 'sse');
  return {
    url: (o.url ?? '').replace(/\/+$/, ''),
    serverKey: o.serverKey ?? '',
    offline,
    snapshot: o.snapshot,
    snapshotFile: o.snapshotFile,
    stream: offline ? false : stream,
    pollIntervalMs: positive(o.pollIntervalMs, 30_000),
    requestTimeoutMs: positive(o.requestTimeoutMs, 10_000),
    readyTimeoutMs: positive(o.readyTimeoutMs, 5_000),
    exposures: offline || o.exposures === false ? false : o.exposures === true || o.exposures === undefined ? {} : o.exposures,
    outcomes: offline || o.outcomes === false ? false : o.outcomes === true || o.outcomes === undefined ? {} : o.outcomes,
    fetch: o.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    logger: o.logger === false ? SILENT : (o.logger ?? console),
    now: o.now ?? Date.now,
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Sleeps that never keep the process alive: an app that is done may exit during a backoff. */
export function unrefTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  const t = setTimeout(fn, ms);
  t.unref();
  return t;
}

/** Exponential backoff with full jitter, so restarted edges are not hit by every client at once. */
export function backoffMs(attempt: number, baseMs = 500, maxMs = 30_000): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return cap / 2 + Math.random() * (cap / 2);
}
