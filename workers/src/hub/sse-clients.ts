// Server-Sent Events subscribers of one hub. EventSource cannot use WebSockets' hibernation,
// so these live only in memory: while any is open the object stays awake, and an eviction
// drops them, which EventSource answers by reconnecting with Last-Event-ID.

import { type ClientKind, eventName } from './messages.ts';

/** Browsers wait this long before reconnecting a dropped EventSource (the `retry:` field). */
export const SSE_RETRY_MS = 2000;

/**
 * A subscriber this many chunks behind is not reading; it is cut off so a stalled client
 * cannot hold snapshots in the hub's memory, and it catches up on reconnect instead.
 */
const MAX_BACKLOG = 16;

const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');

/** One SSE event; `data` must be single-line JSON, which everything the hub sends is. */
export function formatSseEvent(id: number, kind: ClientKind, data: string): string {
  const event = eventName(kind);
  return `id: ${id}\n${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}

type Writer = WritableStreamDefaultWriter<Uint8Array>;

export class SseClients {
  readonly #byKind: Record<ClientKind, Set<Writer>> = { server: new Set(), client: new Set(), ofrep: new Set(), admin: new Set() };

  get size(): number {
    return this.#byKind.server.size + this.#byKind.client.size + this.#byKind.ofrep.size;
  }

  count(kind: ClientKind): number {
    return this.#byKind[kind].size;
  }

  /** Opens a stream that starts with `retry:` and then `first` (a formatted event, or nothing). */
  open(kind: ClientKind, first: string | undefined): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#byKind[kind].add(writer);
    // A client that goes away cancels the readable side, which errors the writer.
    writer.closed.catch(() => this.#byKind[kind].delete(writer));
    this.#write(kind, writer, encoder.encode(`retry: ${SSE_RETRY_MS}\n\n${first ?? ''}`));
    return new Response(readable, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
      },
    });
  }

  /** Sends one already formatted event to every stream of `kind`; returns how many got it. */
  broadcast(kind: ClientKind, event: string): number {
    const writers = this.#byKind[kind];
    if (writers.size === 0) return 0;
    const chunk = encoder.encode(event);
    let sent = 0;
    for (const writer of writers) if (this.#write(kind, writer, chunk)) sent++;
    return sent;
  }

  /** A comment line keeps proxies and load balancers from closing an idle stream. */
  ping(): void {
    for (const kind of Object.keys(this.#byKind) as ClientKind[]) {
      for (const writer of this.#byKind[kind]) this.#write(kind, writer, PING);
    }
  }

  #write(kind: ClientKind, writer: Writer, chunk: Uint8Array): boolean {
    if ((writer.desiredSize ?? 0) < -MAX_BACKLOG) {
      this.#drop(kind, writer);
      return false;
    }
    // Not awaited: one slow reader must not delay everyone else's kill switch.
    writer.write(chunk).catch(() => this.#drop(kind, writer));
    return true;
  }

  #drop(kind: ClientKind, writer: Writer): void {
    if (!this.#byKind[kind].delete(writer)) return;
    writer.abort().catch(() => {});
  }
}
