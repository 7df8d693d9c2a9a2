/**
 * `edgeflags lint`: every flag read in the code, judged against the service (or an exported
 * manifest): unknown keys (with "did you mean"), archived and expired flags, policy violations.
 *
 *   edgeflags lint                              # live: EDGEFLAGS_URL + EDGEFLAGS_TOKEN
 *   edgeflags lint --manifest edgeflags.manifest.json --format github
 *
 * Exit codes: 0 clean, 1 findings, 2 usage or configuration, 3 service unreachable.
 */
import { parseArgs } from 'node:util';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { ConfigError, loadConfig } from './lint/config.ts';
import { selectFiles } from './lint/files.ts';
import { FORMATS, type Format, render } from './lint/report.ts';
import { judge } from './lint/rules.ts';
import { scanFiles } from './lint/scan.ts';
import { connection, failure, loadManifest } from './lint/source.ts';

export const LINT_USAGE = `usage: edgeflags lint [--format human|json|github] [--manifest FILE] [--config FILE] [--url URL] [--token efa_…]
  checks every flag read in the files edgeflags.config.json includes (default: all TS/JS under
  the current directory) against the service, or against a manifest (edgeflags manifest export)
exit codes: 0 clean, 1 findings, 2 usage or configuration, 3 service unreachable`;

export const lintCommand: Command = {
  name: 'lint',
  summary: 'CI gate: unknown, archived, expired flags and policy violations in TS/JS',
  usage: LINT_USAGE,
  run: runLint,
};

async function runLint(argv: string[], ctx: CliContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  let values: {
    format: string;
    manifest?: string | undefined;
    config?: string | undefined;
    url?: string | undefined;
    token?: string | undefined;
    help: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', default: 'human' },
        manifest: { type: 'string' },
        config: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (!(FORMATS as readonly string[]).includes(values.format)) throw new ConfigError(`--format must be one of ${FORMATS.join(', ')}`);
  } catch (e) {
    ctx.err(`edgeflags lint: ${e instanceof Error ? e.message : String(e)}\n${LINT_USAGE}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    ctx.out(`${LINT_USAGE}\n`);
    return EXIT.ok;
  }
  try {
    const { config, dir } = loadConfig(cwd, values.config);
    const conn = connection(values, ctx, config);
    // The service first: a pipeline that cannot reach it fails fast, before a long scan.
    const { manifest, source } = await loadManifest({ manifest: values.manifest, conn, config, configDir: dir, cwd }, ctx);
    const files = selectFiles(dir, config);
    const { reads, dynamic } = scanFiles(dir, files);
    const findings = judge(reads, manifest, new Date().toISOString().slice(0, 10));
    ctx.out(render({ files: files.length, reads, dynamic, findings, source }, values.format as Format));
    return findings.length ? EXIT.failed : EXIT.ok;
  } catch (e) {
    return failure('lint', e, ctx);
  }
}
