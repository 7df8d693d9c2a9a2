// Shared by the OFREP tests: the Worker's own fetch as the providers' network, workerd's
// EventSource pointed at the Worker, an SSE block reader, and small admin-API helpers.
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { call, LOCAL_KEYS } from './seed.ts';

export const worker = (exports as unknown as { default: Fetcher }).default;

/** What the providers use instead of the network: the Worker's own fetch handler. */
export const workerFetch: typeof fetch = (input, init) => worker.fetch(new Request(input, init));

/**
 * workerd ships a real EventSource whose init takes a `fetcher`; the provider calls
 * `new EventSource(url)`, so this subclass only routes the stream to the Worker.
 */
export class WorkerEventSource extends EventSource {
  static opened: string[] = [];
  constructor(url: string, init?: EventSourceEventSourceInit) {
    super(url, { ...init, fetcher: worker });
    WorkerEventSource.opened.push(url);
  }
}

export const bearer = (key: string): [string, string][] => [['Authorization', `Bearer ${key}`]];

export interface ToggleResult {
  snapshotVersion: number;
  delivered: number;
  config: { enabled: boolean };
}

/** Switches with the current version (needed out of the protective state, ignored into it). */
export async function toggle(flag: string, enabled: boolean): Promise<ToggleResult> {
  const path = `/api/v1/flags/${flag}/environments/development`;
  const { version } = (await (await call(path, { key: LOCAL_KEYS.admin })).json()) as { version: number };
  const res = await call(`${path}/toggle`, {
    method: 'POST',
    key: LOCAL_KEYS.admin,
    json: { enabled, version, reason: 'ofrep test' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ToggleResult;
}

export async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** OFREP SSE streams the development hub holds open, as the admin app sees them. */
export async function ofrepStreams(): Promise<number> {
  const res = await call('/api/v1/environments/development/hub', { key: LOCAL_KEYS.admin });
  return ((await res.json()) as { connections: { ofrep: number } }).connections.ofrep;
}

/** Reads a text/event-stream body block by block, the way EventSource splits it. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(timeoutMs = 3000): Promise<{ id?: string; event?: string; data?: string; retry?: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#buffer.includes('\n\n')) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      });
      try {
        const { done, value } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error('SSE stream ended');
        this.#buffer += this.#decoder.decode(value, { stream: true });
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    }
    const end = this.#buffer.indexOf('\n\n');
    const block = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 2);
    const event: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const match = /^(id|event|data|retry): ?(.*)$/.exec(line);
      if (match) event[match[1]!] = match[2]!;
    }
    return event;
  }

  cancel() {
    return this.#reader.cancel().catch(() => {});
  }
}
