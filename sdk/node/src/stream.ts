import type { FetchLike, Logger } from './options.ts';
import { backoffMs, unrefTimeout } from './options.ts';
import { readSse } from './sse.ts';

/** What the hub pushes to server SDKs (see workers/src/hub/messages.ts). */
export interface StreamMessage {
  type: 'snapshot' | 'hello';
  id: number;
  etag?: string;
  snapshot?: unknown;
}

export interface StreamHandlers {
  /** Returns true once the snapshot is applied, which is when a WebSocket acks it. */
  onMessage(message: StreamMessage): boolean;
  /** The stream is live (true) or down (false): polling takes over while it is down. */
  onLive(live: boolean): void;
}

export interface StreamConfig {
  url: string;
  serverKey: string;
  transport: 'websocket' | 'sse';
  fetch: FetchLike;
  logger: Logger;
  /** A connection not established within this is abandoned, so a hung edge never holds the process. */
  connectTimeoutMs: number;
  /** The last applied version, for `Last-Event-ID` resumption on reconnect. */
  lastEventId(): number | undefined;
}

/** The hub answers `ping` with `pong` without waking; silence for two periods means a dead socket. */
const WS_PING_MS = 20_000;
/** The hub writes an SSE comment every 25 s; nothing for 60 s means the connection is gone. */
const SSE_IDLE_MS = 60_000;

/**
 * The change stream: one connection at a time, reconnecting with jittered backoff and resuming
 * from the last applied version. It never throws; failures only flip `onLive(false)`.
 */
export class ChangeStream {
  readonly #config: StreamConfig;
  readonly #handlers: StreamHandlers;
  #closed = false;
  #attempt = 0;
  #stop: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** The current outage was logged already. */
  #reported = false;

  constructor(config: StreamConfig, handlers: StreamHandlers) {
    this.#config = config;
    this.#handlers = handlers;
  }

  start(): void {
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#stop?.();
  }

  #connect(): void {
    if (this.#closed) return;
    const done = (why: string | undefined): void => {
      this.#stop = undefined;
      this.#handlers.onLive(false);
      if (this.#closed) return;
      // Once per outage: a dead edge fails every reconnect attempt, and each would say the same.
      if (why && !this.#reported) this.#config.logger.warn(`edgeflags: stream down (${why}); polling until it reconnects`);
      if (why) this.#reported = true;
      this.#retry = unrefTimeout(() => this.#connect(), backoffMs(this.#attempt++, 1000));
    };
    const message = (text: string): void => {
      this.#attempt = 0;
      this.#reported = false;
      const m = parseMessage(text);
      if (!m) return;
      const applied = this.#handlers.onMessage(m);
      this.#handlers.onLive(true);
      if (applied && m.type === 'snapshot') ack?.(m.id);
    };
    let ack: ((id: number) => void) | undefined;
    if (this.#config.transport === 'websocket') {
      const ws = this.#openWebSocket(message, done);
      ack = ws?.ack;
      this.#stop = ws?.stop;
    } else {
      this.#stop = this.#openSse(message, done);
    }
  }

  #url(protocol: 'ws' | 'http'): string {
    const id = this.#config.lastEventId();
    const base = protocol === 'ws' ? this.#config.url.replace(/^http/, 'ws') : this.#config.url;
    return `${base}/sdk/v1/stream${id ? `?lastEventId=${id}` : ''}`;
  }

  #openWebSocket(onText: (t: string) => void, done: (why?: string) => void): { ack(id: number): void; stop(): void } | undefined {
    let ws: WebSocket;
    try {
      // Node's WebSocket (undici) takes headers, so the server key never appears in a URL.
      const init = { headers: { Authorization: `Bearer ${this.#config.serverKey}` } };
      ws = new WebSocket(this.#url('ws'), init as unknown as string[]);
    } catch (e) {
      done(e instanceof Error ? e.message : String(e));
      return undefined;
    }
    let heard = true;
    let finished = false;
    const handshake = unrefTimeout(() => finish('connect timeout'), this.#config.connectTimeoutMs);
    const finish = (why?: string): void => {
      if (finished) return;
      finished = true;
      clearInterval(ping);
      clearTimeout(handshake);
      try {
        ws.close();
      } catch {}
      done(why);
    };
    const ping = setInterval(() => {
      if (!heard) return finish('no pong');
      heard = false;
      if (ws.readyState === WebSocket.OPEN) ws.send('ping');
    }, WS_PING_MS);
    ping.unref();
    ws.onopen = () => {
      clearTimeout(handshake);
      this.#reported = false;
      this.#handlers.onLive(true);
    };
    ws.onmessage = (e) => {
      heard = true;
      if (typeof e.data === 'string' && e.data !== 'pong') onText(e.data);
    };
    ws.onerror = () => finish('websocket error');
    ws.onclose = (e) => finish(this.#closed ? undefined : `closed ${e.code}`);
    return {
      ack: (id) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(`{"type":"ack","id":${id}}`);
      },
      stop: () => finish(),
    };
  }

  #openSse(onText: (t: string) => void, done: (why?: string) => void): () => void {
    const abort = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const touch = (ms = SSE_IDLE_MS): void => {
      clearTimeout(idle);
      idle = unrefTimeout(() => abort.abort(new Error('idle stream')), ms);
    };
    touch(this.#config.connectTimeoutMs);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#config.serverKey}`, Accept: 'text/event-stream' };
    const run = async (): Promise<string | undefined> => {
      const res = await this.#config.fetch(this.#url('http'), { headers, signal: abort.signal });
      touch();
      if (!res.ok || !res.body) return `HTTP ${res.status}`;
      // The hub sends nothing to an SSE client that is already current: a 200 is the live signal.
      this.#reported = false;
      this.#handlers.onLive(true);
      await readSse(
        res.body,
        (event) => {
          if (event.event === 'snapshot') onText(event.data);
        },
        () => touch(),
      );
      return 'stream ended';
    };
    run()
      .catch((e: unknown) => (abort.signal.aborted && !this.#closed ? 'idle' : e instanceof Error ? e.message : String(e)))
      .then((why) => {
        clearTimeout(idle);
        done(this.#closed ? undefined : why);
      });
    return () => abort.abort();
  }
}

export function parseMessage(text: string): StreamMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<StreamMessage>;
    if ((m.type === 'snapshot' || m.type === 'hello') && typeof m.id === 'number') {
      return { type: m.type, id: m.id, etag: m.etag, snapshot: m.snapshot };
    }
  } catch {}
  return undefined;
}
