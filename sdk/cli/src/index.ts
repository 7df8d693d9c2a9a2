/** `@edgeflags/cli` as a library: run any command in-process (the `edgeflags` bin does the same). */
export type { CliContext, Command, FetchLike } from './cli-context.ts';
export { EXIT } from './cli-context.ts';
export { runCli, USAGE } from './main.ts';
