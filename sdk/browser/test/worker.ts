/**
 * The real Worker for SDK tests (scripts/local-worker.mjs: `wrangler dev` on a free port with
 * fresh seeded state) and the admin calls the tests make. Shared by @edgeflags/react's tests.
 */
import { type LocalWorker, startLocalWorker } from '../../../scripts/local-worker.mjs';

export type { LocalWorker };

export const startWorker = (): Promise<LocalWorker> => startLocalWorker({ timeoutMs: 120_000 });

export { toggleFlag as toggle, waitFor } from '../../../scripts/test-support.mjs';

/** A `fetch` that goes to the real Worker and remembers what was asked (method and path). */
export function recordingFetch(): typeof fetch & { calls: { method: string; path: string; body?: string }[] } {
  const calls: { method: string; path: string; body?: string }[] = [];
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      path: new URL(String(input)).pathname,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return fetch(input, init);
  }) as typeof fetch & { calls: typeof calls };
  wrapped.calls = calls;
  return wrapped;
}

/** A `Storage` in memory, standing in for a browser's localStorage across "page loads". */
export function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

export const US_FREE_USER = { targetingKey: 'u1', plan: 'free', country: 'US' };
