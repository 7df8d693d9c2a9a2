// The change stream. A WebSocket first: the hub accepts it with Durable Object hibernation, so a
// million idle browsers cost their shards nothing between changes, which an SSE stream (held in
// memory, keeping its shard awake) cannot do. EventSource is the fallback for good after two failed socket
// opens in a row (a proxy or policy that refuses upgrades): built in, passes the public key
// as `?key=` and survives proxies that only speak HTTP. Either way every error closes it and this
// loop reopens with jittered exponential backoff.
//
// Resuming: each (re)open sends `lastEventId=<version the client holds>`. The hub answers with a
// `refetch` only when its head differs, so a reconnect, a return to a hidden tab or a change
// that landed between the first POST and the stream opening all resync with one re-POST, and
// with none when nothing changed. Hidden tabs hold no connection (phones, background tabs).
import type { FlagResult } from './types.ts';

const MAX_BACKOFF_MS = 60_000;
/** Under the ~100 s idle limit of Cloudflare's proxy; the hub answers `pong` without waking. */
const PING_MS = 50_000;

/** A `refetch` push; `values` holds the new answers when they are the same for everyone (no refetch needed). */
export interface Change {
  id: number;
  values?: Record<string, FlagResult>;
}

/** Opens the change stream; calls `onChange` per `refetch`; returns a closer. */
export function openStream(url: string, version: () => number | undefined, onChange: (change: Change) => void): () => void {
  const doc = typeof document === 'object' ? document : undefined;
  let sockets = typeof WebSocket === 'function';
  let source: WebSocket | EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let attempt = 0;

  const stop = () => {
    source?.close();
    source = undefined;
    clearTimeout(timer);
    clearInterval(ping);
  };
  const open = () => {
    stop();
    const id = version();
    const at = id ? `${url}&lastEventId=${id}` : url;
    const s = sockets ? new WebSocket(at.replace(/^http/, 'ws')) : new EventSource(at);
    source = s;
    s.onopen = () => {
      attempt = 0;
      // EventSource has no send: its pings are the hub's `: ping` comments.
      ping = setInterval(() => (s as Partial<WebSocket>).send?.('ping'), PING_MS);
    };
    s.addEventListener(sockets ? 'close' : 'error', () => {
      if (s !== source) return;
      // Two failed opens in a row: this network may not pass WebSockets, so SSE from now on.
      sockets &&= attempt < 1;
      stop();
      // Full backoff on repeated failure, jittered so a recovering edge is not hit by every tab at once.
      timer = setTimeout(open, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++) * (0.5 + Math.random() / 2));
    });
    s.addEventListener(sockets ? 'message' : 'refetch', (e) => {
      try {
        const m = JSON.parse((e as MessageEvent<string>).data);
        if (m.type === 'refetch') onChange(m);
      } catch {}
    });
  };
  const onVisibility = () => {
    if (doc?.visibilityState === 'hidden') stop();
    else if (!source) open();
  };

  doc?.addEventListener('visibilitychange', onVisibility);
  if (doc?.visibilityState !== 'hidden') open();
  return () => {
    doc?.removeEventListener('visibilitychange', onVisibility);
    stop();
  };
}
