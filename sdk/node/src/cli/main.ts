/**
 * The `edgeflags` CLI: one function from arguments to an exit code, so the bin is three lines
 * and tests can run it as a child process or in-process.
 *
 *   edgeflags typegen --out src/edgeflags.d.ts
 *   edgeflags release status --flag new-pdf-engine --env production --wait
 */
import { type CliContext, EXIT } from './cli-context.ts';
import { RELEASE_USAGE, releaseCommand } from './release-command.ts';
import { TYPEGEN_USAGE, typegenCommand } from './typegen-command.ts';

const COMMANDS: Record<string, (argv: string[], ctx: CliContext) => Promise<number>> = {
  typegen: typegenCommand,
  release: releaseCommand,
};

export const USAGE = `usage: edgeflags <command> [options]
commands:
  typegen   write the TypeScript declaration of your flag keys
  release   start, watch and steer guarded releases (start|status|approve|reject|pause|resume|rollback|abort)
${TYPEGEN_USAGE}
${RELEASE_USAGE}`;

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    ctx.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    ctx.err(`${name === undefined ? 'edgeflags: name a command' : `edgeflags: unknown command "${name}"`}\n${USAGE}\n`);
    return EXIT.usage;
  }
  return command(rest, ctx);
}
