// EnvironmentHub: one Durable Object per environment that pushes every flag change to all
// connected SDKs at once. Workers KV can take 60 s or more to show a write elsewhere, so KV
// cannot carry a kill switch; the hub can, in one broadcast, and it is also the
// authoritative "latest version" the edge revalidates its isolate cache against.
//
// The Worker authenticates and then forwards the upgrade / SSE request, or calls RPC:
//
//   const hub = env.HUB.getByName(environmentKey);
//   await hub.publish({ version: 7, snapshot: json, etag: '"v7"', changed: ['maintenance-mode'] });
//   return hub.fetch(request); // with X-Edgeflags-Kind: server | client | ofrep
//
// WebSockets use the Hibernation API, so thousands of idle sockets cost nothing between
// changes; SSE streams (for EventSource and the OFREP web provider) keep the object awake.

import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { EventLog, type RecentEvent } from './event-log.ts';
import {
  assertPublishEvent,
  CLIENT_KINDS,
  type ClientKind,
  helloMessage,
  isClientKind,
  isSdkKind,
  type MessageState,
  messageFor,
  type PublishEvent,
  parseAck,
  readLastEventId,
} from './messages.ts';
import { formatSseEvent, SseClients } from './sse-clients.ts';

/** Proxies close streams silent for about a minute or more; 25 s stays well inside that. */
const SSE_HEARTBEAT_MS = 25_000;
const RECENT_STATS = 20;
const HEAD_KEY = 'head';
const SNAPSHOT_KEY = 'snapshot';

export type { ClientKind, PublishEvent, RecentEvent };

export interface HubStats {
  version: number;
  /** Open WebSockets plus SSE streams, per kind. */
  connections: Record<ClientKind, number>;
  /** Most recent first. */
  recent: RecentEvent[];
}

/** What each socket remembers across hibernation. */
interface SocketAttachment {
  kind: ClientKind;
  keyId: string;
  connectedAt: number;
  /** Highest version this socket acked, so a repeated ack is not counted twice. */
  ackedVersion: number;
}

interface Head {
  version: number;
  etag: string;
}

export class EnvironmentHub extends DurableObject<Env> {
  readonly #log: EventLog;
  readonly #sse = new SseClients();
  /** `null` once storage said nothing was published; `undefined` until read. */
  #head: Head | null | undefined;
  #snapshot: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#log = new EventLog(ctx.storage.kv);
    // Answered by the runtime without waking the object, so heartbeats cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  async publish(event: PublishEvent): Promise<{ version: number; sent: number }> {
    assertPublishEvent(event);
    const head = this.#readHead();
    if (head && event.version <= head.version) return { version: head.version, sent: 0 };

    const { version, etag, snapshot, changed } = event;
    // Stored before sending; the output gate holds the sends until the write is durable,
    // so no client ever sees a version the hub could forget.
    this.ctx.storage.kv.put(HEAD_KEY, { version, etag });
    this.ctx.storage.kv.put(SNAPSHOT_KEY, snapshot);
    this.#head = { version, etag };
    this.#snapshot = snapshot;

    const sent = this.#broadcast({ version, etag, snapshot, changed });
    this.#log.append(version, Date.now(), sent, changed);
    return { version, sent };
  }

  async current(sinceVersion?: number): Promise<{ version: number; etag: string; snapshot?: string } | null> {
    const head = this.#readHead();
    if (!head) return null;
    if (sinceVersion === head.version) return { version: head.version, etag: head.etag };
    return { version: head.version, etag: head.etag, snapshot: this.#readSnapshot() };
  }

  async stats(): Promise<HubStats> {
    const connections = { server: 0, client: 0, ofrep: 0, admin: 0 };
    for (const kind of CLIENT_KINDS) {
      const open = this.ctx.getWebSockets(kind).filter((ws) => ws.readyState === WebSocket.READY_STATE_OPEN);
      connections[kind] = open.length + this.#sse.count(kind);
    }
    return { version: this.#readHead()?.version ?? 0, connections, recent: this.#log.recent(RECENT_STATS) };
  }

  override async fetch(request: Request): Promise<Response> {
    const kind = request.headers.get('X-Edgeflags-Kind');
    if (!isClientKind(kind)) return new Response('X-Edgeflags-Kind must be server, client, ofrep or admin', { status: 400 });
    const lastEventId = readLastEventId(request);

    if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') {
      const keyId = (request.headers.get('X-Edgeflags-Key-Id') ?? '').slice(0, 128);
      return this.#acceptWebSocket(kind, keyId, lastEventId);
    }
    if (request.headers.get('Accept')?.includes('text/event-stream')) {
      const missed = this.#missedState(lastEventId);
      const response = this.#sse.open(kind, missed ? formatSseEvent(missed.version, kind, messageFor(kind, missed)) : undefined);
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SSE_HEARTBEAT_MS);
      return response;
    }
    return new Response('Expected a WebSocket upgrade or Accept: text/event-stream', { status: 426 });
  }

  override async alarm(): Promise<void> {
    this.#sse.ping();
    // An evicted object has no streams left, so the heartbeat stops by itself.
    if (this.#sse.size > 0) await this.ctx.storage.setAlarm(Date.now() + SSE_HEARTBEAT_MS);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const version = parseAck(message);
    if (version === undefined) return;
    const attachment = readAttachment(ws);
    if (!attachment || version <= attachment.ackedVersion) return;
    if (this.#log.ack(version, Date.now())) ws.serializeAttachment({ ...attachment, ackedVersion: version });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Before the 2026-04-07 compatibility date the runtime does not answer a Close frame itself.
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1011, 'error');
  }

  #acceptWebSocket(kind: ClientKind, keyId: string, lastEventId: number | undefined): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [kind]);
    const attachment: SocketAttachment = { kind, keyId, connectedAt: Date.now(), ackedVersion: 0 };
    server.serializeAttachment(attachment);
    const missed = this.#missedState(lastEventId);
    server.send(missed ? messageFor(kind, missed) : helloMessage(this.#readHead()?.version ?? 0));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The state a (re)connecting client lacks, or undefined when it is already current. */
  #missedState(lastEventId: number | undefined): MessageState | undefined {
    const head = this.#readHead();
    if (!head || lastEventId === head.version) return undefined;
    const changed = lastEventId === undefined ? undefined : this.#log.changedSince(lastEventId);
    return { version: head.version, etag: head.etag, snapshot: this.#readSnapshot(), changed };
  }

  /** Serializes once per kind and hands the same string to every socket and stream of it. */
  #broadcast(state: MessageState): number {
    let sent = 0;
    for (const kind of CLIENT_KINDS) {
      const sockets = this.ctx.getWebSockets(kind);
      if (sockets.length === 0 && this.#sse.count(kind) === 0) continue;
      const message = messageFor(kind, state);
      let reached = 0;
      for (const ws of sockets) {
        try {
          ws.send(message);
          reached++;
        } catch {
          // Closing between getWebSockets() and send(); webSocketClose cleans it up.
        }
      }
      reached += this.#sse.broadcast(kind, formatSseEvent(state.version, kind, message));
      if (isSdkKind(kind)) sent += reached;
    }
    return sent;
  }

  #readHead(): Head | null {
    if (this.#head === undefined) this.#head = this.ctx.storage.kv.get<Head>(HEAD_KEY) ?? null;
    return this.#head;
  }

  // Read lazily: a wake-up for an ack should not load a snapshot of a thousand flags.
  #readSnapshot(): string {
    this.#snapshot ??= this.ctx.storage.kv.get<string>(SNAPSHOT_KEY) ?? '{}';
    return this.#snapshot;
  }
}

function readAttachment(ws: WebSocket): SocketAttachment | undefined {
  try {
    const value = ws.deserializeAttachment() as SocketAttachment | null;
    return value && isClientKind(value.kind) ? value : undefined;
  } catch {
    return undefined;
  }
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed: nothing left to release.
  }
}
