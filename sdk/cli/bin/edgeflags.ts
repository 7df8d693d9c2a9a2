#!/usr/bin/env node
/**
 * The edgeflags CLI (commands in src/cli/): `edgeflags --help` lists them.
 *
 *   npx edgeflags typegen --url http://127.0.0.1:8787 --token efa_… --out src/edgeflags.d.ts
 *   EDGEFLAGS_URL=… EDGEFLAGS_TOKEN=efa_… npx edgeflags release status --flag new-pdf-engine --env production --wait
 *
 * Exit codes: 0 done, 1 refused or failed, 2 usage (an unknown command included).
 */
import { runCli } from '../src/main.ts';

const ctx = { env: process.env, out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };

runCli(process.argv.slice(2), ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`edgeflags: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
