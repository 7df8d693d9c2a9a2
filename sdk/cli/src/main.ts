/**
 * The `edgeflags` CLI: one function from arguments to an exit code, so the bin is three lines
 * and tests can run it as a child process or in-process.
 *
 *   edgeflags lint                       # CI gate: unknown, archived, expired keys in TS/JS
 *   edgeflags refs push --repository acme/web
 *   edgeflags cleanup new-pdf-engine --write
 *   edgeflags typegen --out src/edgeflags.d.ts
 *   edgeflags release status --flag new-pdf-engine --env production --wait
 *
 * Adding a command: one file exporting a `Command`, and one line in COMMANDS below.
 */
import { auditCommand } from './audit-command.ts';
import { changesCommand } from './changes-command.ts';
import { cleanupCommand } from './cleanup-command.ts';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { lintCommand } from './lint-command.ts';
import { manifestCommand } from './manifest-command.ts';
import { promoteCommand } from './promote-command.ts';
import { refsCommand } from './refs-command.ts';
import { releaseCommand } from './release-command.ts';
import { typegenCommand } from './typegen-command.ts';

/** Every command, in the order `edgeflags --help` lists them. */
const COMMANDS: readonly Command[] = [
  lintCommand,
  refsCommand,
  manifestCommand,
  cleanupCommand,
  typegenCommand,
  releaseCommand,
  auditCommand,
  changesCommand,
  promoteCommand,
];

export const USAGE = `usage: edgeflags <command> [options]
commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}
exit codes: 0 ok, 1 findings or refused, 2 usage or configuration, 3 service unreachable
${COMMANDS.map((c) => c.usage).join('\n')}`;

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    ctx.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.err(`${name === undefined ? 'edgeflags: name a command' : `edgeflags: unknown command "${name}"`}\n${USAGE}\n`);
    return EXIT.usage;
  }
  return command.run(rest, ctx);
}
