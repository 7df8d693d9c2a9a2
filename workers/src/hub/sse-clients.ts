// Server-Sent Events subscribers of one hub. EventSource cannot use WebSockets' hibernation,
// so these live only in memory: while any is open the object stays awake, and an eviction
// drops them, which EventSource answers by reconnecting with Last-Event-ID.

import { type ClientKind, eventName } from './messages.ts';
import type { StreamOwner } from './stream-caps.ts';

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

interface SseStream extends StreamOwner {
  kind: ClientKind;
  controller: ReadableStreamDefaultController<Uint8Array>;
}

export class SseClients {
  readonly #byKind: Record<ClientKind, Set<SseStream>> = { server: new Set(), client: new Set(), ofrep: new Set(), admin: new Set() };

  /** Streams that keep the object awake (admin consoles included). */
  get size(): number {
    let size = 0;
    for (const streams of Object.values(this.#byKind)) size += streams.size;
    return size;
  }

  count(kind: ClientKind): number {
    return this.#byKind[kind].size;
  }

  /** Open streams that match `owner` (by key id, and by caller when one is given). */
  countOwned(match: (owner: StreamOwner) => boolean): number {
    let n = 0;
    for (const streams of Object.values(this.#byKind)) for (const s of streams) if (match(s)) n++;
    return n;
  }

  /**
   * Opens a stream that starts with `retry:` and then `first` (a formatted event, or nothing).
   * The hub owns the readable side's source, so a client that goes away cancels it and the
   * stream leaves the counts at once, rather than on the next write that fails.
   */
  open(kind: ClientKind, owner: StreamOwner, first: string | undefined): Response {
    let stream: SseStream | undefined;
    const readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          stream = { ...owner, kind, controller };
          this.#byKind[kind].add(stream);
          controller.enqueue(encoder.encode(`retry: ${SSE_RETRY_MS}\n\n${first ?? ''}`));
        },
        cancel: () => {
          if (stream) this.#byKind[kind].delete(stream);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(readable, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
      },
    });
  }

  /** Sends one already formatted event to every stream of `kind`; returns how many got it. */
  broadcast(kind: ClientKind, event: string): number {
    const streams = this.#byKind[kind];
    if (streams.size === 0) return 0;
    const chunk = encoder.encode(event);
    let sent = 0;
    for (const stream of streams) if (this.#write(stream, chunk)) sent++;
    return sent;
  }

  /** A comment line keeps proxies and load balancers from closing an idle stream. */
  ping(): void {
    for (const streams of Object.values(this.#byKind)) for (const stream of streams) this.#write(stream, PING);
  }

  /** Ends every stream whose owner matches, after a comment saying why; returns how many. */
  close(match: (owner: StreamOwner) => boolean, why: string): number {
    let closed = 0;
    const note = encoder.encode(`: ${why}\n\n`);
    for (const streams of Object.values(this.#byKind)) {
      for (const stream of streams) {
        if (!match(stream)) continue;
        streams.delete(stream);
        try {
          stream.controller.enqueue(note);
          stream.controller.close();
        } catch {
          // Already cancelled by the client.
        }
        closed++;
      }
    }
    return closed;
  }

  #write(stream: SseStream, chunk: Uint8Array): boolean {
    // desiredSize is minus the chunks queued and not yet taken by the runtime's pump.
    if ((stream.controller.desiredSize ?? 0) < -MAX_BACKLOG) {
      this.#drop(stream);
      return false;
    }
    try {
      // Not awaited: one slow reader must not delay everyone else's kill switch.
      stream.controller.enqueue(chunk);
      return true;
    } catch {
      this.#byKind[stream.kind].delete(stream);
      return false;
    }
  }

  #drop(stream: SseStream): void {
    if (!this.#byKind[stream.kind].delete(stream)) return;
    try {
      stream.controller.error(new Error('subscriber fell behind'));
    } catch {
      // Already closed.
    }
  }
}
