/**
 * `edgeflags cleanup <key>`: removes a rolled-out or archived flag from TS/TSX/JS. Each read
 * becomes the flag's final value and the dead branch goes (if/else, ternary, &&, ||, JSX
 * conditionals, early returns), as text edits at node ranges so the rest of each file is left
 * exactly as it was. Prints the unified patch; `--write` applies it.
 *
 *   edgeflags cleanup new-pdf-engine                  # the final value from the service (production)
 *   edgeflags cleanup new-pdf-engine --value true --write
 *
 * Exit codes: 0 rewritten (or nothing to do), 1 refused (nothing written), 2 usage, 3 unreachable.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Final, Primitive } from './cleanup/fold.ts';
import { cleanup } from './cleanup/run.ts';
import { unifiedDiff } from './cleanup/text.ts';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { ConfigError, loadConfig } from './lint/config.ts';
import { selectFiles } from './lint/files.ts';
import { connection, failure, loadManifest } from './lint/source.ts';

export const CLEANUP_USAGE = `usage: edgeflags cleanup <key> [--value JSON] [--env NAME] [--write] [--manifest FILE] [--config FILE] [--url URL] [--token efa_…]
  --value   the final value (true, false, "text", 3); default: what the service serves everyone in --env
  --env     default: "environment" in edgeflags.config.json, else production
  --write   apply the patch (default: print it)
exit codes: 0 rewritten or nothing to do, 1 refused (nothing written), 2 usage or configuration, 3 service unreachable`;

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'remove a rolled-out or archived flag from TS/TSX/JS and print the patch',
  usage: CLEANUP_USAGE,
  run: runCleanup,
};

class Refused extends Error {}

function parseValue(raw: string): Primitive {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ConfigError(`--value ${raw}: not JSON (strings need quotes: --value '"dark"')`);
  }
  if (v !== null && typeof v === 'object')
    throw new ConfigError('--value: a JSON object or array cannot be written into code; rewrite it by hand');
  return v as Primitive;
}

async function runCleanup(argv: string[], ctx: CliContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  let values: Record<string, string | boolean | undefined>;
  let key: string | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        value: { type: 'string' },
        env: { type: 'string' },
        write: { type: 'boolean', default: false },
        manifest: { type: 'string' },
        config: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
      },
    });
    values = parsed.values;
    key = parsed.positionals[0];
    if (!key || parsed.positionals.length > 1) throw new ConfigError('name one flag key');
  } catch (e) {
    ctx.err(`edgeflags cleanup: ${e instanceof Error ? e.message : String(e)}\n${CLEANUP_USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const { config, dir } = loadConfig(cwd, values.config as string | undefined);
    const final = await finalAnswer(key, values, config, dir, cwd, ctx);
    const files = selectFiles(dir, config);
    const result = cleanup(dir, files, key, final);
    if (result.refusals.length) {
      const lines = result.refusals.map((r) => `${r.file}:${r.line}:${r.col}  ${r.message}`);
      throw new Refused(`refused, nothing written:\n${lines.join('\n')}`);
    }
    const patch = [...result.changed].map(([file, { before, after }]) =>
      unifiedDiff(path.relative(cwd, path.join(dir, file)), before, after),
    );
    if (values.write) for (const [file, { after }] of result.changed) writeFileSync(path.join(dir, file), after);
    else ctx.out(patch.join(''));
    const what = `${result.reads} read${result.reads === 1 ? '' : 's'} of "${key}" as ${JSON.stringify(final.value)}`;
    ctx.err(
      `edgeflags cleanup: ${what}: ${result.changed.size} file${result.changed.size === 1 ? '' : 's'} ${values.write ? 'rewritten' : 'to rewrite (--write applies)'}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof Refused) {
      ctx.err(`edgeflags cleanup ${key}: ${e.message}\n`);
      return EXIT.failed;
    }
    return failure('cleanup', e, ctx);
  }
}

/** --value, or what the service serves everyone in the environment (archived flags included). */
async function finalAnswer(
  key: string,
  values: Record<string, string | boolean | undefined>,
  config: ReturnType<typeof loadConfig>['config'],
  configDir: string,
  cwd: string,
  ctx: CliContext,
): Promise<Final> {
  if (typeof values.value === 'string') return { value: parseValue(values.value) };
  const env = (values.env as string | undefined) ?? config.environment ?? 'production';
  const conn = connection({ url: values.url as string | undefined, token: values.token as string | undefined }, ctx, config);
  const { manifest } = await loadManifest({ manifest: values.manifest as string | undefined, conn, config, configDir, cwd }, ctx);
  const flag = manifest.flags.find((f) => f.key === key);
  if (!flag) throw new Refused(`no flag "${key}" on the service: pass --value to remove its reads anyway`);
  const answer = flag.environments[env];
  if (answer === undefined) throw new Refused(`flag "${key}" has no configuration in "${env}": pick --env or pass --value`);
  if (answer === null)
    throw new Refused(
      `flag "${key}" is still rolling out in ${env}: who gets what depends on the context (rules, targets or a split). Finish the rollout, or pass --value`,
    );
  if (answer.value !== null && typeof answer.value === 'object')
    throw new Refused(`flag "${key}" serves a JSON value in ${env}: rewrite its reads by hand`);
  return { value: answer.value, variant: answer.variant };
}
