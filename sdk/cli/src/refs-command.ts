/**
 * `edgeflags refs push`: uploads where the code reads each flag (the same scan as `lint`) to
 * PUT /api/v1/code-refs, replacing this repository's references. Run it on the main branch: the
 * app lists the references on each flag, and a flag no repository reads any more is "ready to
 * remove from code".
 *
 *   edgeflags refs push                    # repository, commit, branch from GitHub Actions or git
 *   edgeflags refs push --dry-run --json   # what would be sent
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, type Command, EXIT } from './cli-context.ts';
import { ConfigError, loadConfig } from './lint/config.ts';
import { selectFiles, toPosix } from './lint/files.ts';
import { scanFiles } from './lint/scan.ts';
import { adminClient, connection, failure } from './lint/source.ts';

/** The server's bound (workers/src/admin/code-ref-routes.ts CODE_REF_LIMITS.refs). */
export const MAX_REFS = 20_000;

export const REFS_USAGE = `usage: edgeflags refs push [--repository NAME] [--commit SHA] [--branch NAME] [--dry-run] [--json] [--url URL] [--token efa_…]
  --repository defaults to "repository" in edgeflags.config.json, then GITHUB_REPOSITORY;
  --commit and --branch to GITHUB_SHA and GITHUB_REF_NAME, then git. Needs an editor token.`;

export const refsCommand: Command = {
  name: 'refs',
  summary: 'push where each flag is read (repository, commit, file:line) to the service',
  usage: REFS_USAGE,
  run: runRefs,
};

interface Values {
  repository?: string | undefined;
  commit?: string | undefined;
  branch?: string | undefined;
  'dry-run': boolean;
  json: boolean;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

const git = (cwd: string, ...args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
};

async function runRefs(argv: string[], ctx: CliContext): Promise<number> {
  const cwd = ctx.cwd ?? process.cwd();
  let values: Values;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repository: { type: 'string' },
        commit: { type: 'string' },
        branch: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        url: { type: 'string' },
        token: { type: 'string' },
        config: { type: 'string' },
      },
    });
    if (parsed.positionals.join(' ') !== 'push') throw new ConfigError('name the action: push');
    values = parsed.values;
  } catch (e) {
    ctx.err(`edgeflags refs: ${e instanceof Error ? e.message : String(e)}\n${REFS_USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const { config, dir } = loadConfig(cwd, values.config);
    const repository = values.repository ?? config.repository ?? ctx.env.GITHUB_REPOSITORY;
    const commit = values.commit ?? ctx.env.GITHUB_SHA ?? git(dir, 'rev-parse', 'HEAD');
    const branch = values.branch ?? ctx.env.GITHUB_REF_NAME ?? git(dir, 'rev-parse', '--abbrev-ref', 'HEAD') ?? null;
    if (!repository)
      throw new ConfigError('name the repository: --repository, "repository" in edgeflags.config.json, or GITHUB_REPOSITORY');
    if (!commit) throw new ConfigError('no commit: pass --commit (not a git checkout, no GITHUB_SHA)');
    // Paths from the repository root, so two packages of a monorepo name their files apart.
    const top = git(dir, 'rev-parse', '--show-toplevel');
    const prefix = top ? toPosix(path.relative(top, dir)) : '';
    const { reads } = scanFiles(dir, selectFiles(dir, config));
    const seen = new Set<string>();
    const refs = reads
      .map((r) => ({ flagKey: r.key, path: prefix ? `${prefix}/${r.file}` : r.file, line: r.line }))
      .filter((r) => {
        const id = `${r.flagKey}\0${r.path}\0${r.line}`;
        return !seen.has(id) && seen.add(id);
      });
    if (refs.length > MAX_REFS)
      throw new ConfigError(`${refs.length} references: over the ${MAX_REFS} one push may carry; narrow "include"`);
    const body = { repository, commit, branch, refs };
    if (values['dry-run']) {
      ctx.out(values.json ? `${JSON.stringify(body, null, 2)}\n` : `would push ${refs.length} references to ${repository}@${commit}\n`);
      return EXIT.ok;
    }
    const conn = connection(values, ctx, config);
    if (!conn.url || !conn.token) throw new ConfigError('set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
    const pushed = await adminClient({ url: conn.url, token: conn.token }, ctx).put<{ refs: number; flags: number }>('/code-refs', body, {
      idempotencyKey: `edgeflags-refs-${randomUUID()}`,
    });
    ctx.out(
      values.json
        ? `${JSON.stringify(pushed)}\n`
        : `pushed ${pushed.refs} references to ${pushed.flags} flags for ${repository}@${commit.slice(0, 12)}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    return failure('refs push', e, ctx);
  }
}
