/**
 * `edgeflags manifest export`: the service's flags (archived too, with expiry, per-environment
 * answers and policy violations) in one JSON file, for `lint` in a pipeline without access to
 * the service: `edgeflags lint --manifest edgeflags.manifest.json`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { ConfigError, loadConfig } from './lint/config.ts';
import { staysInside } from './lint/files.ts';
import { fetchManifest } from './lint/manifest.ts';
import { adminClient, connection, failure } from './lint/source.ts';

export const MANIFEST_USAGE = `usage: edgeflags manifest export [--out FILE] [--url URL] [--token efa_…] [--config FILE]
  --out defaults to "manifest" in edgeflags.config.json, else edgeflags.manifest.json`;

export const manifestCommand: Command = {
  name: 'manifest',
  summary: 'export the flag manifest (keys, archived, expiry, policy) for offline lint',
  usage: MANIFEST_USAGE,
  run: runManifest,
};

async function runManifest(argv: string[], ctx: CliContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  let parsed: {
    values: { out?: string | undefined; url?: string | undefined; token?: string | undefined; config?: string | undefined };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, config: { type: 'string' } },
    });
    if (parsed.positionals.join(' ') !== 'export') throw new ConfigError('name the action: export');
  } catch (e) {
    ctx.err(`edgeflags manifest: ${e instanceof Error ? e.message : String(e)}\n${MANIFEST_USAGE}\n`);
    return EXIT.usage;
  }
  const { values } = parsed;
  try {
    const { config, dir } = loadConfig(cwd, values.config);
    const conn = connection(values, ctx, config);
    if (!conn.url || !conn.token) throw new ConfigError('set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
    const manifest = await fetchManifest(adminClient({ url: conn.url, token: conn.token }, ctx));
    const out = values.out ? path.resolve(cwd, values.out) : path.resolve(dir, config.manifest ?? 'edgeflags.manifest.json');
    // --out is the operator's choice; a path from the repository's config stays in the repository.
    if (!values.out && !staysInside(dir, out))
      throw new ConfigError(`"manifest" in the config (${config.manifest}) leaves its directory; pass --out to write elsewhere`);
    writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
    ctx.out(`wrote ${path.relative(cwd, out) || out} (${manifest.flags.length} flags, ${manifest.policy.length} policy violations)\n`);
    return EXIT.ok;
  } catch (e) {
    return failure('manifest export', e, ctx);
  }
}
