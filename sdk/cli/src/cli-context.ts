/** `fetch` as the commands call it (tests pass their own). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** What a command touches outside itself: passed in, so tests can run commands in-process too. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** The directory paths are relative to (default: the process's). */
  cwd?: string;
}

/** One `edgeflags <name>` command; src/main.ts lists them. */
export interface Command {
  name: string;
  /** One line for `edgeflags --help`. */
  summary: string;
  usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/**
 * The CLI's exit codes, a contract for pipelines (sdk/cli/README.md): 0 ok, 1 findings or a
 * refusal, 2 usage or configuration, 3 the service could not be reached.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
