/**
 * Pushes from each environment's hub to this admin console: after any published change the
 * Worker streams `refetch` with the changed flag keys (GET /api/v1/environments/{env}/changes).
 * Read with fetch rather than EventSource, because EventSource cannot send the admin token.
 * A dropped stream reconnects with backoff; a hidden tab holds no streams and, on return,
 * announces "anything may have changed" so pages refresh once.
 */
export type ChangeListener = (environment: string, flags: string[] | undefined) => void;

export interface ChangeFeed {
  subscribe(listener: ChangeListener): () => void;
  close(): void;
}

export interface VisibilitySource {
  readonly visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface ChangeFeedOptions {
  baseUrl: string;
  token: string;
  environments: string[];
  fetch?: typeof fetch;
  /** For tests: the document whose visibility pauses the streams. */
  doc?: VisibilitySource;
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export function openChangeFeed({
  baseUrl,
  token,
  environments,
  fetch: f = globalThis.fetch.bind(globalThis),
  doc = document,
}: ChangeFeedOptions): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  let controller: AbortController | undefined;
  let closed = false;
  const emit = (env: string, flags: string[] | undefined) => {
    for (const l of listeners) l(env, flags);
  };

  async function follow(env: string, signal: AbortSignal): Promise<void> {
    let retry = MIN_RETRY_MS;
    while (!signal.aborted) {
      try {
        const res = await f(`${baseUrl}/api/v1/environments/${encodeURIComponent(env)}/changes`, {
          headers: token ? { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } : { Accept: 'text/event-stream' },
          signal,
        });
        if (res.ok && res.body) {
          retry = MIN_RETRY_MS;
          await read(res.body, (flags) => emit(env, flags));
        }
      } catch {
        // Offline, aborted or dropped: the loop decides whether to try again.
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, retry));
      retry = Math.min(MAX_RETRY_MS, retry * 2);
    }
  }

  function start() {
    controller?.abort();
    controller = new AbortController();
    for (const env of environments) void follow(env, controller.signal);
  }

  const onVisibility = () => {
    if (closed) return;
    if (doc.visibilityState === 'hidden') {
      controller?.abort();
      controller = undefined;
    } else if (!controller) {
      start();
      for (const env of environments) emit(env, undefined);
    }
  };

  if (doc.visibilityState !== 'hidden') start();
  doc.addEventListener('visibilitychange', onVisibility);
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      controller?.abort();
      doc.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

/** Reads server-sent events until the stream ends, handing each `refetch` its changed keys. */
async function read(body: ReadableStream<Uint8Array>, onRefetch: (flags: string[] | undefined) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (event === 'refetch' && data) {
        try {
          const flags = (JSON.parse(data) as { flags?: string[] }).flags;
          onRefetch(Array.isArray(flags) ? flags : undefined);
        } catch {
          onRefetch(undefined);
        }
      }
      end = buffer.indexOf('\n\n');
    }
  }
}
