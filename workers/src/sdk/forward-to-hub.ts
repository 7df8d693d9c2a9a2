import { callerNetwork } from '../auth/caller.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { ClientKind } from '../hub/messages.ts';
import { routingKey, shardIndex, shardName } from '../hub/shard-routing.ts';
import { shardCountFor } from './shard-count.ts';

/** Who opens the stream, as the hub needs it for caps and for ending it when the key ends. */
export interface StreamHolder {
  /** SDK key or admin token id: revoking or rotating it ends its streams (`EnvironmentHub.closeKey`). */
  keyId: string;
  /** Epoch ms when the key expires; its streams end then. */
  expiresAt?: number | null;
}

/** The Worker has authenticated; the hub only needs to know who is listening and how. */
export async function forwardToHub(env: Env, raw: Request, environment: string, kind: ClientKind, holder: StreamHolder): Promise<Response> {
  const isUpgrade = raw.headers.get('upgrade')?.toLowerCase() === 'websocket';
  if (!isUpgrade && !raw.headers.get('accept')?.includes('text/event-stream') && kind !== 'ofrep') {
    throw new ApiError(400, 'stream_required', 'open this URL as a WebSocket or with "Accept: text/event-stream"');
  }
  const url = new URL(raw.url);
  const req = new Request(`https://hub/connect${url.search}`, raw);
  // The hub trusts the Worker's authentication; the credential itself stays here.
  req.headers.delete('Authorization');
  req.headers.delete('X-API-Key');
  req.headers.set('X-Edgeflags-Kind', kind);
  req.headers.set('X-Edgeflags-Key-Id', holder.keyId);
  // Cloudflare sets CF-Connecting-IP itself, so a caller cannot pick its own to dodge the per-caller
  // cap; an IPv6 caller is its /64, since it can pick any address in it (auth/caller.ts).
  const caller = callerNetwork(raw.headers);
  if (caller) req.headers.set('X-Edgeflags-Caller', caller);
  else req.headers.delete('X-Edgeflags-Caller');
  if (holder.expiresAt) req.headers.set('X-Edgeflags-Key-Expires', String(holder.expiresAt));
  else req.headers.delete('X-Edgeflags-Key-Expires');
  if (kind === 'ofrep') req.headers.set('Accept', 'text/event-stream');
  // Straight to the shard that holds this stream (docs/scale.md §2); it enforces its share of the caps.
  const shards = await shardCountFor(env, environment);
  const shard = shardIndex(routingKey(kind, { keyId: holder.keyId, caller: caller ?? '' }, url.searchParams.get('instance')), shards);
  req.headers.set('X-Edgeflags-Shards', String(shards));
  return env.HUB.getByName(shardName(environment, shard)).fetch(req);
}
