/**
 * `edgeflags typegen`: writes the declaration that types every SDK's flag keys.
 *
 *   npx edgeflags typegen --url http://127.0.0.1:8787 --token efa_… --out src/edgeflags.d.ts
 *   npx edgeflags typegen --check   # CI: exit 1 if the file is out of date
 */
import { parseArgs } from 'node:util';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { typegen } from './typegen.ts';

export const TYPEGEN_USAGE = 'usage: edgeflags typegen [--url URL] [--token efa_…] [--out FILE] [--check]';

export const typegenCommand: Command = {
  name: 'typegen',
  summary: 'write the TypeScript declaration of your flag keys',
  usage: TYPEGEN_USAGE,
  run: runTypegen,
};

async function runTypegen(argv: string[], ctx: CliContext): Promise<number> {
  let values: { url?: string | undefined; token?: string | undefined; out: string; check: boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string', default: ctx.env.EDGEFLAGS_URL },
        token: { type: 'string', default: ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN },
        out: { type: 'string', default: 'edgeflags.d.ts' },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    ctx.err(`edgeflags typegen: ${e instanceof Error ? e.message : String(e)}\n${TYPEGEN_USAGE}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    ctx.out(`${TYPEGEN_USAGE}\n`);
    return EXIT.ok;
  }
  if (!values.url || !values.token) {
    ctx.err(`edgeflags typegen: set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)\n${TYPEGEN_USAGE}\n`);
    return EXIT.usage;
  }
  const { changed, flags } = await typegen({
    url: values.url,
    token: values.token,
    out: values.out,
    check: values.check,
    ...(ctx.fetch && { fetch: ctx.fetch }),
  });
  if (values.check) {
    ctx.out(changed ? `${values.out} is out of date: run edgeflags typegen\n` : `${values.out} is up to date (${flags} flags)\n`);
    return changed ? EXIT.failed : EXIT.ok;
  }
  ctx.out(`${changed ? 'wrote' : 'unchanged'} ${values.out} (${flags} flags)\n`);
  return EXIT.ok;
}
