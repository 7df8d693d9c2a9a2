// Wire format of what the hub pushes, one builder per kind of subscriber. Each builder
// returns a string that is sent as-is to every socket of that kind: a publish serializes
// once per kind, never once per socket, so fan-out cost stays a send loop.

import type { WireResult } from '@edgeflags/core';
import { clientVisibleChanged } from './client-visible.ts';
import { uniformValues } from './pushed-values.ts';

/**
 * Who is listening: server SDKs get the snapshot, browsers and OFREP providers a nudge, and
 * admin consoles the same nudge as browsers (which flags changed) to refresh what they show.
 */
export type ClientKind = 'server' | 'client' | 'ofrep' | 'admin';

export const CLIENT_KINDS: readonly ClientKind[] = ['server', 'client', 'ofrep', 'admin'];

/** Kinds that evaluate flags: what "delivered to N clients" counts (admin consoles are not clients). */
export const isSdkKind = (kind: ClientKind): boolean => kind !== 'admin';

/** What the Worker hands to `EnvironmentHub.publish` after a write commits in D1. */
export interface PublishEvent {
  version: number;
  /** JSON of the environment snapshot, embedded verbatim (never re-parsed by the hub). */
  snapshot: string;
  etag: string;
  /** Keys of the flags this change touched. */
  changed: string[];
}

/** The state a message describes; `changed` is absent when the hub cannot tell what changed. */
export interface MessageState {
  version: number;
  etag: string;
  snapshot: string;
  changed?: readonly string[];
}

export function isClientKind(value: unknown): value is ClientKind {
  return value === 'server' || value === 'client' || value === 'ofrep' || value === 'admin';
}

/** SSE `event:` name per kind; OFREP uses the default `message` because the provider listens there. */
export function eventName(kind: ClientKind): string | undefined {
  if (kind === 'server') return 'snapshot';
  if (kind === 'client' || kind === 'admin') return 'refetch';
  return undefined;
}

/** Server SDKs evaluate locally, so they get the whole snapshot in the push itself. */
export function snapshotMessage(state: MessageState): string {
  return `{"type":"snapshot","id":${state.version},"etag":${JSON.stringify(state.etag)},"snapshot":${state.snapshot}}`;
}

/**
 * Browsers hold pre-evaluated values, so they are told to re-POST their context. `flags`
 * lists what changed when known; a resumed client whose gap is older than the replay ring
 * gets no `flags` field, meaning "anything may have changed".
 */
export function refetchMessage(state: MessageState, values?: Record<string, WireResult>): string {
  const flags = state.changed ? `,"flags":${JSON.stringify(state.changed)}` : '';
  const pushed = values ? `,"values":${JSON.stringify(values)}` : '';
  return `{"type":"refetch","id":${state.version},"etag":${JSON.stringify(state.etag)}${flags}${pushed}}`;
}

/** ADR 0008 `refetchEvaluation`; the OFREP web provider revalidates its bulk evaluation with the etag. */
export function ofrepMessage(state: MessageState): string {
  return `{"type":"refetchEvaluation","etag":${JSON.stringify(state.etag)}}`;
}

export function messageFor(kind: ClientKind, state: MessageState): string {
  if (kind === 'server') return snapshotMessage(state);
  // Admin consoles may see every key; a public client key only the flags it can evaluate.
  if (kind === 'admin') return refetchMessage(state);
  // `values`: every changed flag has one answer for everyone, so browsers apply it and do not refetch.
  if (kind === 'client')
    return refetchMessage(
      { ...state, changed: clientVisibleChanged(state.changed, state.snapshot) },
      uniformValues(state.snapshot, state.changed),
    );
  return ofrepMessage(state);
}

/** Sent on connect when the client is already current, so it knows the stream is live. */
export function helloMessage(version: number): string {
  return `{"type":"hello","id":${version}}`;
}

/** The longest client message worth parsing; anything bigger is not an ack. */
const MAX_CLIENT_MESSAGE = 256;

/** Reads `{"type":"ack","id":n}`; anything else (binary, garbage, other types) is `undefined`. */
export function parseAck(message: string | ArrayBuffer): number | undefined {
  if (typeof message !== 'string' || message.length > MAX_CLIENT_MESSAGE) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return undefined;
    const { type, id } = value as { type?: unknown; id?: unknown };
    return type === 'ack' && Number.isSafeInteger(id) && (id as number) > 0 ? (id as number) : undefined;
  } catch {
    return undefined;
  }
}

/** A last-seen event id from `?lastEventId=` or `Last-Event-ID`; garbage counts as none. */
export function readLastEventId(request: Request): number | undefined {
  const raw = new URL(request.url).searchParams.get('lastEventId') ?? request.headers.get('Last-Event-ID');
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** Throws on a malformed publish: it comes from our own Worker, so a bad one is a bug to surface. */
export function assertPublishEvent(event: PublishEvent): void {
  const ok =
    typeof event === 'object' &&
    event !== null &&
    Number.isSafeInteger(event.version) &&
    event.version > 0 &&
    typeof event.snapshot === 'string' &&
    typeof event.etag === 'string' &&
    Array.isArray(event.changed) &&
    event.changed.every((key) => typeof key === 'string');
  if (!ok) throw new TypeError('publish: expected { version > 0, snapshot: string, etag: string, changed: string[] }');
}
