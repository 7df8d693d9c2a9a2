// Streams opened through the Worker, as SDKs open them, for the key lifecycle and cap tests:
// a WebSocket that records what it received and how it closed, and an SSE body that can be
// read to its end. Closed in `closeAll` so a test leaves no stream behind.
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { call, LOCAL_KEYS } from './seed.ts';

export interface OpenSocket {
  ws: WebSocket;
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
}

const opened: Array<() => void> = [];

export function closeAll(): void {
  for (const close of opened.splice(0)) close();
}

/** A WebSocket on `path` (default the native stream), or the refusal's Response. */
export async function openSocket(
  key: string,
  headers: Record<string, string> = {},
  path = '/sdk/v1/stream',
): Promise<OpenSocket | Response> {
  const res = await call(path, { key, headers: { Upgrade: 'websocket', ...headers } });
  if (res.status !== 101 || !res.webSocket) return res;
  const ws = res.webSocket;
  const messages: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }));
  });
  ws.addEventListener('message', (event) => messages.push(String(event.data)));
  ws.accept();
  opened.push(() => {
    try {
      ws.close(1000, 'test done');
    } catch {}
  });
  return { ws, messages, closed };
}

export interface OpenSse {
  res: Response;
  /** The next SSE block as `field: value` pairs (comments under `comment`); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, string>>;
  /** Reads until the stream ends; rejects after `timeoutMs`. Returns everything not yet read. */
  ended(timeoutMs?: number): Promise<string>;
  cancel(): Promise<void>;
}

/** An SSE stream on `path` (its key in the URL or in `key`), or the refusal's Response. */
export async function openSse(path: string, key?: string, headers: Record<string, string> = {}): Promise<OpenSse | Response> {
  const res = await call(path, { key, headers: { Accept: 'text/event-stream', ...headers } });
  if (res.status !== 200 || !res.body) return res;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const cancel = () => reader.cancel().catch(() => {});
  opened.push(() => void cancel());
  /** Reads one chunk into the buffer; false when the stream ended. */
  const read = async (deadline: number): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`nothing more on the stream in time; read so far: ${buffer}`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const { done, value } = await Promise.race([reader.read(), timeout]);
      if (done) return false;
      buffer += decoder.decode(value, { stream: true });
      return true;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };
  return {
    res,
    cancel,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!buffer.includes('\n\n')) if (!(await read(deadline))) throw new Error('SSE stream ended');
      const end = buffer.indexOf('\n\n');
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const match = /^(id|event|data|retry|): ?(.*)$/.exec(line);
        if (match) event[match[1] || 'comment'] = match[2]!;
      }
      return event;
    },
    async ended(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (await read(deadline)) {}
      return buffer;
    },
  };
}

export function isOpen<T extends object>(stream: T | Response): asserts stream is T {
  if (stream instanceof Response) throw new Error(`stream refused with ${stream.status}`);
}

export async function createKey(kind: 'server' | 'client', extra: Record<string, unknown> = {}, environment = 'development') {
  const res = await call('/api/v1/sdk-keys', {
    method: 'POST',
    key: LOCAL_KEYS.admin,
    json: { kind, environment, name: `${kind} test key`, ...extra },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; secret: string; expiresAt: number | null };
}

export const hubStats = (environment = 'development') => env.HUB.getByName(environment).stats();

/** Polls `read` until `done` holds (state arrives asynchronously), failing after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
