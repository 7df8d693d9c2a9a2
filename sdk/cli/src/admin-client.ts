/**
 * The CLI's view of the admin API: bearer token, JSON, the error envelope turned into an
 * `ApiFailure`, and retries of what may not have happened (network errors, 5xx, 429, a twin
 * still in flight). Every write carries one Idempotency-Key for all its attempts, so a retry
 * after a lost answer is answered from the first attempt instead of being applied twice.
 */
import type { FetchLike } from './cli-context.ts';

/** A refusal by the API (or no answer at all: status 0), with the code from its closed set. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly details: unknown;

  constructor(status: number, code: string | undefined, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface AdminClientOptions {
  url: string;
  token: string;
  fetch?: FetchLike;
  /** Attempts per request, the first included (default 4). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WriteOptions {
  /** The version the caller read, sent as `If-Match: "<n>"`. */
  version?: number;
  idempotencyKey: string;
}

const RETRY_BASE_MS = 500;
/** Answers after which the same request may succeed; a write's key makes resending it safe. */
const retryable = (status: number, code: string | undefined) =>
  status === 0 || status >= 500 || status === 429 || code === 'idempotency_conflict';

export class AdminClient {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: FetchLike;
  readonly #attempts: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: AdminClientOptions) {
    this.#base = `${options.url.replace(/\/+$/, '')}/api/v1`;
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#attempts = options.attempts ?? 4;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path, undefined, {});
  }

  post<T>(path: string, body: unknown, options: WriteOptions): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': options.idempotencyKey };
    if (options.version !== undefined) headers['If-Match'] = `"${options.version}"`;
    return this.#request<T>('POST', path, JSON.stringify(body), headers);
  }

  /** A PUT replaces a whole resource: resending it is harmless, the key only spares a replay. */
  put<T>(path: string, body: unknown, options: WriteOptions): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': options.idempotencyKey };
    return this.#request<T>('PUT', path, JSON.stringify(body), headers);
  }

  async #request<T>(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once<T>(method, path, body, headers);
      } catch (e) {
        if (!(e instanceof ApiFailure) || !retryable(e.status, e.code) || attempt >= this.#attempts) throw e;
        await this.#sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }

  async #once<T>(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<T> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.#token}`, Accept: 'application/json', ...headers },
        ...(body !== undefined && { body }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new ApiFailure(0, undefined, `${method} ${path}: no answer from ${this.#base} (${e instanceof Error ? e.message : String(e)})`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const message = error?.message ?? (text.slice(0, 200) || res.statusText);
    throw new ApiFailure(
      res.status,
      error?.code,
      `${method} ${path} answered ${res.status}${error?.code ? ` ${error.code}` : ''}: ${message}`,
      error?.details,
    );
  }
}
