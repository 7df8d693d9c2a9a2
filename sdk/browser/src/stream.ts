// Why EventSource rather than a WebSocket: it is built into every browser, costs no protocol
// code (the 2 KB budget), passes the public client key as `?key=` and survives proxies that
// only speak HTTP. Its own retry loop stops for good on a 4xx/5xx and hammers a dead edge every
// `retry:` ms, so every error closes it and this loop reopens with jittered exponential backoff.
//
// Resuming: each (re)open sends `lastEventId=<version the client holds>`. The hub answers with a
// `refetch` only when its head differs, so a reconnect, a return to a hidden tab or a change
// that landed between the first POST and the stream opening all resync with one re-POST, and
// with none when nothing changed. Hidden tabs hold no connection (phones, background tabs).

const MAX_BACKOFF_MS = 60_000;

/** Opens the change stream; calls `onChange(id)` per `refetch` event; returns a closer. */
export function openStream(url: string, version: () => number | undefined, onChange: (id: number) => void): () => void {
  const doc = typeof document === 'object' ? document : undefined;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const stop = () => {
    source?.close();
    source = undefined;
    clearTimeout(timer);
  };
  const open = () => {
    stop();
    const id = version();
    const es = new EventSource(id ? `${url}&lastEventId=${id}` : url);
    source = es;
    es.onopen = () => {
      attempt = 0;
    };
    es.onerror = () => {
      stop();
      // Full backoff on repeated failure, jittered so a recovering edge is not hit by every tab at once.
      timer = setTimeout(open, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++) * (0.5 + Math.random() / 2));
    };
    es.addEventListener('refetch', (e) => {
      try {
        onChange(JSON.parse((e as MessageEvent<string>).data).id);
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
