#!/usr/bin/env node
/**
 * The edgeflags CLI. One command so far:
 *
 *   npx edgeflags typegen --url http://127.0.0.1:8787 --token efa_… --out src/edgeflags.d.ts
 *   npx edgeflags typegen --check   # CI: exit 1 if the file is out of date
 *
 * `--url` / `--token` default to EDGEFLAGS_URL / EDGEFLAGS_ADMIN_TOKEN; `--out` to edgeflags.d.ts.
 */
import { parseArgs } from 'node:util';
import { typegen } from '../src/typegen.ts';

const USAGE = 'usage: edgeflags typegen [--url URL] [--token efa_…] [--out FILE] [--check]';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.EDGEFLAGS_URL },
      token: { type: 'string', default: process.env.EDGEFLAGS_ADMIN_TOKEN },
      out: { type: 'string', default: 'edgeflags.d.ts' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals[0] !== 'typegen') {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!values.url || !values.token) {
    process.stderr.write(`edgeflags typegen: set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_ADMIN_TOKEN)\n${USAGE}\n`);
    return 2;
  }
  const { changed, flags } = await typegen({ url: values.url, token: values.token, out: values.out, check: values.check });
  if (values.check) {
    process.stdout.write(
      changed ? `${values.out} is out of date: run edgeflags typegen\n` : `${values.out} is up to date (${flags} flags)\n`,
    );
    return changed ? 1 : 0;
  }
  process.stdout.write(`${changed ? 'wrote' : 'unchanged'} ${values.out} (${flags} flags)\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`edgeflags: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
