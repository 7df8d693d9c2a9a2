import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { ClientKind } from '../hub/messages.ts';

/** The Worker has authenticated; the hub only needs to know who is listening and how. */
export function forwardToHub(env: Env, raw: Request, environment: string, kind: ClientKind, keyId: string): Promise<Response> {
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
  req.headers.set('X-Edgeflags-Key-Id', keyId);
  if (kind === 'ofrep') req.headers.set('Accept', 'text/event-stream');
  return env.HUB.getByName(environment).fetch(req);
}
