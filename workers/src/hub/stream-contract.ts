// The streaming contract: the messages the hub sends (messages.ts builds them as strings for
// speed) as zod schemas, and the AsyncAPI document generated from them, served at
// /api/v1/streams.json. The same schemas check real messages in stream-contract.test, so the
// document cannot drift from what is sent.
import { SnapshotSchema } from '@edgeflags/core/schema';
import { z } from 'zod';
import { SSE_RETRY_MS } from './sse-clients.ts';

/**
 * The environment's version: the SSE `id:`, what `Last-Event-ID` / `?lastEventId=` resume from,
 * and what an ack confirms. It grows by one per published change.
 */
const EventId = z.number().int().nonnegative().meta({ description: 'Snapshot version; the SSE id and the Last-Event-ID to resume from' });
/** Snapshot ETag: `"<environment>.<version>"`, the ETag of GET /sdk/v1/snapshot. */
const SnapshotEtag = z
  .string()
  .regex(/^"[^"]+\.\d+"$/)
  .meta({ description: 'The snapshot ETag, "<environment>.<version>": the same value GET /sdk/v1/snapshot answers in ETag' });

/** One flag as POST /sdk/v1/evaluate answers it (WireResult in @edgeflags/core). */
const WireResultSchema = z.strictObject({
  value: z.json(),
  variant: z.string().optional(),
  reason: z.string(),
  errorCode: z.string().optional(),
});

export const SnapshotMessage = z
  .strictObject({
    type: z.literal('snapshot'),
    id: EventId,
    etag: SnapshotEtag,
    snapshot: SnapshotSchema.meta({ description: 'The whole environment, as GET /sdk/v1/snapshot answers it' }),
  })
  .meta({ title: 'snapshot', description: 'Server keys: the whole snapshot, on connect (when behind) and after every change' });

export const RefetchMessage = z
  .strictObject({
    type: z.literal('refetch'),
    id: EventId,
    etag: SnapshotEtag,
    flags: z
      .array(z.string())
      .optional()
      .meta({ description: 'Changed flag keys (client keys: only client-visible ones); absent means anything may have changed' }),
    values: z.record(z.string(), WireResultSchema).optional().meta({
      description:
        'Client keys: present when every changed flag is client-visible and now has one answer for every context (switched off, or one variant for all). It holds each such flag as POST /sdk/v1/evaluate would answer it: apply these and do not refetch. Absent: refetch, after a random delay of up to 2 s (docs/scale.md), with ?refetch=<id>',
    }),
  })
  .meta({ title: 'refetch', description: 'Client keys and admin consoles: re-POST /sdk/v1/evaluate (or reload) the flags named' });

export const RefetchEvaluationMessage = z.strictObject({ type: z.literal('refetchEvaluation'), etag: SnapshotEtag }).meta({
  title: 'refetchEvaluation',
  description:
    'OFREP (ADR 0008): re-POST /ofrep/v1/evaluate/flags. The etag is the snapshot (flag configuration) ETag, which the OpenFeature web provider sends back as ?flagConfigEtag=; it is not the per-context evaluation ETag: send your last evaluation ETag in If-None-Match and a 304 says nothing changed for you',
});

export const HelloMessage = z
  .strictObject({ type: z.literal('hello'), id: EventId })
  .meta({ title: 'hello', description: 'WebSocket only: sent on connect when the client is already current' });

export const AckMessage = z.strictObject({ type: z.literal('ack'), id: z.number().int().positive() }).meta({
  title: 'ack',
  description: 'Client → hub (WebSocket): the version applied; counts toward delivery figures. Other messages are ignored',
});

/** What each kind of stream carries, by who opens it. */
export const STREAM_MESSAGES = { server: SnapshotMessage, client: RefetchMessage, admin: RefetchMessage, ofrep: RefetchEvaluationMessage };

const schema = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: 'any', io: 'output' });
const message = (name: string, s: z.ZodType, description: string) => ({
  name,
  contentType: 'application/json',
  description,
  payload: schema(s),
});

const RESUME =
  'Resume with the last `id` seen, in the `Last-Event-ID` header (EventSource sends it on reconnect) or `?lastEventId=`. ' +
  'If it equals the current version, an SSE stream sends nothing (after `retry:`) and a WebSocket sends `hello`; ' +
  'otherwise the first event is the current state (`refetch` names the flags changed since that id while the change log still holds it, and no `flags` beyond that). ' +
  'Without one, the first event is the current state (a hub with nothing published yet sends nothing over SSE, and `hello` with id 0 over a WebSocket). A garbage id counts as none.';

/** The shape of each validator, checked against real ETags in stream-contract.test. */
export const VALIDATOR_PATTERNS = {
  /** GET /flags/{key} and GET /flags/{key}/environments/{env}: the version, for If-Match. */
  version: /^"\d+"$/,
  /** GET /sdk/v1/snapshot and `etag` in every stream message. */
  snapshot: /^"[^"]+\.\d+"$/,
  /** POST /sdk/v1/evaluate and /ofrep/v1/evaluate/flags: per version, key kind and context. */
  evaluation: /^W\/"\d+-[A-Za-z]-[0-9a-z]+"$/,
};

/** Every validator the API hands out, in one place (docs/streams.md says the same). */
export const VALIDATORS =
  'Validators: admin writes take the config/flag/segment `version` in If-Match ("3", W/"3" or 3) or in the body; GET /flags/{key}/environments/{env} answers it as ETag "3". The snapshot ETag is "<environment>.<version>" (GET /sdk/v1/snapshot, and `etag` in every stream message). Evaluations (POST /sdk/v1/evaluate, /ofrep/v1/evaluate/flags) answer a weak per-context ETag W/"<version>-<kind>-<context hash>" for If-None-Match.';

/** The AsyncAPI 3.0 document for every stream the Worker serves. */
export function streamsDocument() {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'edgeflags streams',
      'x-validators': {
        description: VALIDATORS,
        patterns: Object.fromEntries(Object.entries(VALIDATOR_PATTERNS).map(([k, r]) => [k, r.source])),
      },
      version: '1.0.0',
      description: `Change streams from each environment's hub. SSE (Accept: text/event-stream) or WebSocket (Upgrade: websocket). SSE streams start with \`retry: ${SSE_RETRY_MS}\`, send \`: ping\` comments as heartbeats, and carry each message as \`data:\` with \`id:\` (the version). ${RESUME} A revoked, rotated-out or expired key's streams are closed (WebSocket close code 4001). Too many streams: 429 stream_limit.`,
    },
    channels: {
      sdkStream: {
        address: '/sdk/v1/stream',
        title: 'Native SDK stream',
        description:
          'Auth: `Authorization: Bearer <sdk key>` or `X-API-Key`; a browser EventSource may pass `?key=` (client keys). Server keys receive `snapshot` (SSE `event: snapshot`), client keys `refetch` (SSE `event: refetch`). Opens only for a key that is live now (401 otherwise).',
        messages: {
          snapshot: message('snapshot', SnapshotMessage, 'Server keys'),
          refetch: message('refetch', RefetchMessage, 'Client keys'),
          hello: message('hello', HelloMessage, 'WebSocket, already current'),
          ack: message('ack', AckMessage, 'Sent by the SDK over a WebSocket'),
        },
      },
      ofrepEvents: {
        address: '/ofrep/v1/events',
        title: 'OFREP refresh stream (ADR 0008)',
        description:
          'Auth: the signed `?token=` from the `eventStreams` of POST /ofrep/v1/evaluate/flags (401 when missing, expired or its key revoked: fetch the bulk evaluation again). SSE default `message` events. A new stream first sends `refetchEvaluation` with the current snapshot ETag, so a provider that connects after its first fetch never misses a change.',
        messages: { refetchEvaluation: message('refetchEvaluation', RefetchEvaluationMessage, 'Every change') },
      },
      adminChanges: {
        address: '/api/v1/environments/{env}/changes',
        title: 'Admin change stream',
        description: 'Auth: admin token (viewer or above) in Authorization. SSE `event: refetch` with every changed flag key.',
        messages: { refetch: message('refetch', RefetchMessage, 'Every change') },
      },
    },
    operations: {
      receiveSdk: { action: 'receive', channel: { $ref: '#/channels/sdkStream' } },
      sendAck: { action: 'send', channel: { $ref: '#/channels/sdkStream' }, messages: [{ $ref: '#/channels/sdkStream/messages/ack' }] },
      receiveOfrep: { action: 'receive', channel: { $ref: '#/channels/ofrepEvents' } },
      receiveAdmin: { action: 'receive', channel: { $ref: '#/channels/adminChanges' } },
    },
  };
}
