import type { FetchLike } from '../options.ts';

/** What a command touches outside itself: passed in, so tests can run commands in-process too. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

/** The CLI's exit codes (documented in the usage and sdk/node/README.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
