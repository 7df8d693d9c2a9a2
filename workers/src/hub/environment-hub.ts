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
import { envelope } from '../errors.ts';
import { kvKey } from '../snapshot/build-snapshot.ts';
import { confirmDelivered, markPending } from '../snapshot/delivery-state.ts';
import { EventLog, type RecentEvent } from './event-log.ts';
import { alarmNoLaterThan, KeyDeadlines } from './key-deadlines.ts';
import { type KvStatus, KvWriter } from './kv-writer.ts';
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
import { mergeStats, ShardFanout } from './shard-fanout.ts';
import { capShare, parseHubName, type ShardSettings, shardName, shardSettings } from './shard-routing.ts';
import { type Head, SnapshotStore } from './snapshot-store.ts';
import { formatSseEvent, SseClients } from './sse-clients.ts';
import { callerTag, capRefusal, keyTag, readStreamOwner, type StreamCaps, type StreamOwner, streamCaps } from './stream-caps.ts';
import { SwitchAlarm } from './switch-alarm.ts';

/**
 * Proxies close streams silent for about a minute, so any heartbeat under that keeps them
 * open; this one is also the liveness probe. The runtime reports a vanished SSE client only
 * when a write to it fails, about the second write after it left, so a stream leaves the
 * counts within about two heartbeats (measured 9.5 s at 5 s, 36–50 s at 25 s: docs/keys.md).
 */
const SSE_HEARTBEAT_MS = 5_000;
/** WebSocket close code for a revoked or expired key (4000–4999: the application's own). */
const KEY_ENDED_CLOSE_CODE = 4001;
const RECENT_STATS = 20;
/** How long a publish waits for its KV write before answering "pending" (the alarm finishes it). */
const KV_WAIT_BUDGET_MS = 2000;

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

/** A shard reports its load to the root at most this often (growth needs no more). */
const LOAD_REPORT_MS = 10_000;

/** What a publish did: the hub's head after it, SDK streams reached, and the KV copy's state. */
export type PublishOutcome = { version: number; sent: number } & KvStatus;

export class EnvironmentHub extends DurableObject<Env> {
  readonly #log: EventLog;
  readonly #sse = new SseClients();
  readonly #deadlines: KeyDeadlines;
  readonly #caps: StreamCaps;
  readonly #store: SnapshotStore;
  readonly #kv: KvWriter;
  /** Shard 0 is the root (this environment's authority); others only hold streams (shard-routing.ts). */
  readonly #shard: number;
  readonly #shards: ShardSettings;
  readonly #fanout: ShardFanout;
  #loadReportedAt = 0;
  /** Wakes at the next switch carried in the held snapshot (changes/scheduled-changes.ts settles it). */
  readonly #switches: SwitchAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#shard = parseHubName(ctx.id.name ?? '').shard;
    this.#shards = shardSettings(env);
    this.#fanout = new ShardFanout(ctx.storage.kv, this.#shards, streamCaps(env).perEnvironment, (i) =>
      env.HUB.getByName(shardName(this.#environment(), i)),
    );
    this.#log = new EventLog(ctx.storage.kv);
    this.#store = new SnapshotStore(ctx.storage.kv);
    this.#kv = new KvWriter({
      storage: ctx.storage,
      kv: env.SNAPSHOTS,
      key: () => kvKey(this.#environment()),
      latest: () => {
        const head = this.#store.head();
        return head && { version: head.version, etag: head.etag, snapshot: this.#store.snapshot() };
      },
      confirmed: (version) => confirmDelivered(env.DB, this.#environment(), version),
      failed: (error) => markPending(env.DB, this.#environment(), error),
    });
    this.#deadlines = new KeyDeadlines(ctx.storage.kv);
    this.#switches = new SwitchAlarm(ctx.storage);
    this.#caps = streamCaps(env);
    // Answered by the runtime without waking the object, so heartbeats cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /**
   * Stores and broadcasts a newer snapshot (an older or equal one only re-checks KV, so the
   * reconciler can call this again safely), then brings the KV copy along: written, scheduled
   * within a second, or pending with the error. Throws only for a malformed or oversized event.
   * `waitForKv: false` (the edge seeding the hub from D1) leaves the KV write to the alarm.
   */
  async publish(event: PublishEvent, options: { waitForKv?: boolean } = {}): Promise<PublishOutcome> {
    assertPublishEvent(event);
    if (this.#shard !== 0) throw new TypeError('publish: shards are fed by their root hub (deliver)');
    const publishedAt = Date.now();
    const local = this.#accept(event);
    let sent = local?.sent ?? 0;
    if (local) {
      // Recorded before the shards are called: an ack from this hub's own streams may arrive
      // while they are, and must find its entry.
      this.#log.append(event.version, publishedAt, local.sent, local.changed);
      // The output gate holds these calls too until the head is durable; shards serve the same
      // version and replay ring, and their counts join the root's (docs/scale.md §2).
      const elsewhere = await this.#fanout.deliver({ ...event, changed: local.changed ? [...local.changed] : [] });
      this.#log.addSent(event.version, elsewhere);
      sent += elsewhere;
      await this.#switches.arm(event.snapshot, publishedAt);
    }
    await this.#catchUpShards();
    const version = this.#store.head()?.version ?? event.version;
    const kv = await this.#syncKv(version, options.waitForKv ?? true);
    return { version, sent, ...kv };
  }

  /** Root to shard: store and broadcast a version the root accepted; returns the streams reached. */
  async deliver(event: PublishEvent): Promise<number> {
    assertPublishEvent(event);
    const local = this.#accept(event);
    if (local) this.#log.append(event.version, Date.now(), local.sent, local.changed);
    return local?.sent ?? 0;
  }

  /** The root's replay answer, for a shard whose own ring does not reach back to `version`. */
  async changedSince(version: number): Promise<{ version: number; changed: string[] | undefined }> {
    return { version: this.#readHead()?.version ?? 0, changed: this.#log.changedSince(version) };
  }

  /** How many shards the edge hashes new streams over (1: this hub holds them all). */
  async shardCount(): Promise<number> {
    return this.#fanout.count();
  }

  /** A shard holds `load` streams: N doubles at the capacity, and new shards get the head at once. */
  async reportLoad(load: number): Promise<number> {
    if (this.#shard !== 0 || !Number.isSafeInteger(load)) throw new TypeError('reportLoad: expected a stream count, at the root');
    const added = this.#fanout.grow(load);
    const head = this.#readHead();
    if (added.length > 0 && head)
      await this.#fanout.deliver({ version: head.version, etag: head.etag, snapshot: this.#readSnapshot(), changed: [] }, added);
    return this.#fanout.count();
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
      const open = this.ctx.getWebSockets(kind).filter((ws) => ws.readyState === WebSocket.OPEN);
      connections[kind] = open.length + this.#sse.count(kind);
    }
    const own = { version: this.#readHead()?.version ?? 0, connections, recent: this.#log.recent(RECENT_STATS) };
    return this.#shard === 0 && this.#fanout.count() > 1 ? mergeStats(own, await this.#fanout.stats()) : own;
  }

  /**
   * Ends a key's streams: at once when revoked (`at` now or past), else at `at` (expiry, end of
   * a rotation's overlap). From then on this hub refuses new streams of the key too.
   */
  async closeKey(keyId: string, at: number = Date.now()): Promise<{ closed: number }> {
    if (typeof keyId !== 'string' || keyId === '' || !Number.isSafeInteger(at))
      throw new TypeError('closeKey: expected a key id and an epoch ms');
    this.#deadlines.set(keyId, at);
    let closed = 0;
    if (at > Date.now()) await alarmNoLaterThan(this.ctx.storage, at);
    else closed = this.#closeDue(Date.now());
    // Every shard records the deadline too; one that cannot be told fails the call, which the
    // key lifecycle retries (key-lifecycle.ts).
    if (this.#shard === 0) closed += await this.#fanout.closeKey(keyId, at);
    return { closed };
  }

  override async fetch(request: Request): Promise<Response> {
    const kind = request.headers.get('X-Edgeflags-Kind');
    if (!isClientKind(kind)) return new Response('X-Edgeflags-Kind must be server, client, ofrep or admin', { status: 400 });
    const lastEventId = readLastEventId(request);
    const isUpgrade = request.headers.get('Upgrade')?.toLowerCase() === 'websocket';
    if (!isUpgrade && !request.headers.get('Accept')?.includes('text/event-stream')) {
      return new Response('Expected a WebSocket upgrade or Accept: text/event-stream', { status: 426 });
    }
    const { expiresAt, ...owner } = readStreamOwner(request);
    const shards = Number(request.headers.get('X-Edgeflags-Shards')) || 1;
    const refusal = await this.#admit(kind, owner, expiresAt, shards);
    if (refusal) return refusal;
    await this.#seedFromRoot();

    if (isUpgrade) return this.#acceptWebSocket(kind, owner, await this.#missedState(lastEventId));
    const missed = await this.#missedState(lastEventId);
    const response = this.#sse.open(kind, owner, missed ? formatSseEvent(missed.version, kind, messageFor(kind, missed)) : undefined);
    await alarmNoLaterThan(this.ctx.storage, Date.now() + SSE_HEARTBEAT_MS);
    return response;
  }

  // One alarm serves every timed job of the hub; each job only ever moves it earlier
  // (alarmNoLaterThan), so none of them can postpone another's.
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.#closeDue(now);
    this.#sse.ping();
    await this.#catchUpShards();
    await this.#kv.onAlarm(now);
    const kvDue = this.#kv.nextAttemptAt();
    if (kvDue !== null) await alarmNoLaterThan(this.ctx.storage, kvDue);
    // An evicted object has no streams left, so the heartbeat stops by itself.
    if (this.#sse.size > 0) await alarmNoLaterThan(this.ctx.storage, now + SSE_HEARTBEAT_MS);
    const deadline = this.#deadlines.next(now);
    if (deadline !== undefined) await alarmNoLaterThan(this.ctx.storage, deadline);
    if (this.#shard === 0) await this.#switches.fire(this.env, this.#environment(), now, () => this.#store.snapshot());
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

  /** Refuses a stream of a revoked or expired key (401) or past a cap (429); records the key's expiry. */
  async #admit(kind: ClientKind, owner: StreamOwner, expiresAt: number | undefined, shards: number): Promise<Response | undefined> {
    const now = Date.now();
    if (owner.keyId && expiresAt !== undefined) {
      this.#deadlines.set(owner.keyId, expiresAt);
      if (expiresAt > now) await alarmNoLaterThan(this.ctx.storage, expiresAt);
    }
    if (owner.keyId && this.#deadlines.passed(owner.keyId, now)) {
      return Response.json(envelope('unauthorized', 'this key was revoked or has expired'), { status: 401 });
    }
    const open = (tag?: string) => (tag ? this.ctx.getWebSockets(tag) : this.ctx.getWebSockets()).length;
    const counts = {
      environment: open() + this.#sse.size,
      key: open(keyTag(owner.keyId)) + this.#sse.countOwned((o) => o.keyId === owner.keyId),
      caller: owner.caller
        ? open(callerTag(owner.keyId, owner.caller)) + this.#sse.countOwned((o) => o.keyId === owner.keyId && o.caller === owner.caller)
        : 0,
    };
    const refusal = capRefusal(kind, owner, counts, capShare(this.#caps, shards));
    // Admitted: this object now holds one more stream than it counted.
    if (!refusal) this.#reportLoad(counts.environment + 1);
    return refusal;
  }

  /** Stores a newer version and broadcasts it; undefined when it is not newer than the head. */
  #accept(event: PublishEvent): { sent: number; changed: readonly string[] | undefined } | undefined {
    const head = this.#store.head();
    if (head && event.version <= head.version) return undefined;
    const { version, etag, snapshot } = event;
    // Stored before sending; the output gate holds the sends until the write is durable,
    // so no client ever sees a version the hub could forget.
    this.#store.put(version, etag, snapshot);
    // After a gap (a publish that never arrived) the hub cannot tell what changed in between;
    // nor from an empty list (segments, reconciliation): resumers are told to refetch all.
    const known = event.changed.length > 0 && (head === null || version === head.version + 1);
    const changed = known ? event.changed : undefined;
    return { sent: this.#broadcast({ version, etag, snapshot, changed }), changed };
  }

  /** Root: shards whose delivery failed get the head again (publish, alarm) until they take it. */
  async #catchUpShards(): Promise<void> {
    if (this.#shard !== 0) return;
    const behind = this.#fanout.behind();
    const head = this.#readHead();
    if (behind.length === 0 || !head) return;
    await this.#fanout.deliver({ version: head.version, etag: head.etag, snapshot: this.#readSnapshot(), changed: [] }, behind);
    if (this.#fanout.behind().length > 0) await alarmNoLaterThan(this.ctx.storage, Date.now() + 1000);
  }

  /** A shard that never got a delivery (new, or its root's call failed) asks the root once before serving. */
  async #seedFromRoot(): Promise<void> {
    if (this.#shard === 0 || this.#readHead()) return;
    const root = await this.env.HUB.getByName(this.#environment()).current();
    if (root?.snapshot && !this.#readHead()) this.#store.put(root.version, root.etag, root.snapshot);
  }

  /** Tells the root (off the request path, at most every LOAD_REPORT_MS) that this shard is full. */
  #reportLoad(load: number): void {
    const now = Date.now();
    if (load < this.#shards.capacity || now - this.#loadReportedAt < LOAD_REPORT_MS) return;
    this.#loadReportedAt = now;
    const report = this.#shard === 0 ? this.reportLoad(load) : this.env.HUB.getByName(this.#environment()).reportLoad(load);
    this.ctx.waitUntil(Promise.resolve(report).catch((e: unknown) => console.warn('shard load report failed', e)));
  }

  /** Ends the streams of every key whose deadline passed since the last sweep; returns how many. */
  #closeDue(now: number): number {
    const due = new Set(this.#deadlines.takeDue(now));
    if (due.size === 0) return 0;
    let closed = this.#sse.close((owner) => due.has(owner.keyId), 'key revoked or expired');
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = readAttachment(ws);
      if (!attachment || !due.has(attachment.keyId)) continue;
      closeQuietly(ws, KEY_ENDED_CLOSE_CODE, 'key revoked or expired');
      closed++;
    }
    return closed;
  }

  #acceptWebSocket(kind: ClientKind, owner: StreamOwner, missed: MessageState | undefined): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const tags = [kind, keyTag(owner.keyId)];
    if (owner.caller) tags.push(callerTag(owner.keyId, owner.caller));
    this.ctx.acceptWebSocket(server, tags);
    const attachment: SocketAttachment = { kind, keyId: owner.keyId, connectedAt: Date.now(), ackedVersion: 0 };
    server.serializeAttachment(attachment);
    server.send(missed ? messageFor(kind, missed) : helloMessage(this.#readHead()?.version ?? 0));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The state a (re)connecting client lacks, or undefined when it is already current. */
  async #missedState(lastEventId: number | undefined): Promise<MessageState | undefined> {
    const head = this.#readHead();
    if (!head || lastEventId === head.version) return undefined;
    let changed = lastEventId === undefined ? undefined : this.#log.changedSince(lastEventId);
    // A shard's ring starts at its first delivery; the root's reaches further back.
    if (!changed && lastEventId !== undefined && this.#shard !== 0) {
      const root = await this.env.HUB.getByName(this.#environment()).changedSince(lastEventId);
      if (root.version === head.version) changed = root.changed;
    }
    return { version: head.version, etag: head.etag, snapshot: this.#readSnapshot(), changed };
  }

  /** Serializes once per kind and hands the same string to every socket and stream of it. */
  #broadcast(state: MessageState): number {
    // A key whose deadline passed gets no change after it, even before the alarm runs.
    this.#closeDue(Date.now());
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
    return this.#store.head();
  }

  #readSnapshot(): string {
    return this.#store.snapshot();
  }

  /**
   * KV behind the head: write now if the rate allows, and arm the alarm for whatever is left, so
   * the copy converges even if this instance is evicted. Already written: confirm to D1 again,
   * for a reconciler whose earlier confirmation was lost (D1 down at the time).
   */
  async #syncKv(version: number, wait: boolean): Promise<KvStatus> {
    if (this.#kv.writtenVersion >= version) {
      await confirmDelivered(this.env.DB, this.#environment(), version).catch((e) => console.warn('confirming delivery failed', e));
      return { kv: 'written' };
    }
    const status: KvStatus = wait ? await this.#kv.sync(version, KV_WAIT_BUDGET_MS) : { kv: 'scheduled' };
    const due = this.#kv.nextAttemptAt();
    if (due !== null) await alarmNoLaterThan(this.ctx.storage, due);
    return status;
  }

  /**
   * The environment this hub serves: Workers reach it with `env.HUB.getByName(environment)`, and
   * the runtime gives that name to the object as `ctx.id.name`, in alarms too (2026-03-15).
   */
  #environment(): string {
    const name = this.ctx.id.name && parseHubName(this.ctx.id.name).environment;
    if (!name) throw new Error('EnvironmentHub must be addressed by name (env.HUB.getByName(environment))');
    return name;
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
