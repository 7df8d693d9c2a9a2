/**
 * `edgeflags changes propose`: a flag-config change proposed for review (docs/change-requests.md),
 * the CLI's side of what the admin app's "Propose change" does in a reviewed environment.
 *
 *   curl -H "Authorization: Bearer $EDGEFLAGS_TOKEN" $EDGEFLAGS_URL/api/v1/flags/new-checkout/environments/production > config.json
 *   # edit config.json, then
 *   edgeflags changes propose --env production --flag new-checkout --file config.json --reason "10% more"
 *
 * The file is the configuration (enabled, offVariant, prerequisites, targets, rules, defaultServe,
 * bucketBy); other fields, such as those of a GET answer, are left out. The request is written
 * against the file's `version`, else --version, else the version now: a flag that moved since the
 * file was read is refused (409, exit 1) instead of the proposal silently undoing that change.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AdminClient, ApiFailure } from './admin-client.ts';
import { type CliContext, EXIT } from './cli-context.ts';

export const PROPOSE_USAGE = `usage: edgeflags changes propose --env <environment> --flag <key> --file <config.json> [options]
  --version <n>       the configuration version the file was written against (default: the file's "version", else the current one)
  --reason <text>     why, for the reviewers and the audit log
  --json              print the created change request as JSON
exit codes: 0 proposed, 1 refused (invalid config, a policy, the flag moved: 409), 2 usage or unreadable file, 3 service unreachable`;

const CONFIG_FIELDS = ['enabled', 'offVariant', 'prerequisites', 'targets', 'rules', 'defaultServe', 'bucketBy'] as const;

const usage = (ctx: CliContext, problem: string) => {
  ctx.err(`edgeflags changes propose: ${problem}\n${PROPOSE_USAGE}\n`);
  return EXIT.usage;
};

export async function runPropose(argv: string[], ctx: CliContext): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (e) {
    return usage(ctx, e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    ctx.out(`${PROPOSE_USAGE}\n`);
    return EXIT.ok;
  }
  const { env, flag, file } = values;
  if (!env || !flag || !file) return usage(ctx, '--env, --flag and --file are required');
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !Number.isInteger(version)) return usage(ctx, '--version must be an integer');
  const url = values.url ?? ctx.env.EDGEFLAGS_URL;
  const token = values.token ?? ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN;
  if (!url || !token) return usage(ctx, 'set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
  let read: Record<string, unknown>;
  try {
    read = JSON.parse(await readFile(path.resolve(ctx.cwd ?? process.cwd(), file), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    return usage(ctx, `cannot read ${file} as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof read !== 'object' || read === null || Array.isArray(read)) return usage(ctx, `${file} must hold a JSON object`);
  const config = Object.fromEntries(CONFIG_FIELDS.filter((f) => f in read).map((f) => [f, read[f]]));
  const api = new AdminClient({ url, token, ...(ctx.fetch && { fetch: ctx.fetch }), ...(ctx.sleep && { sleep: ctx.sleep }) });
  const e = encodeURIComponent;
  try {
    const base =
      version ??
      (typeof read.version === 'number' ? read.version : undefined) ??
      (await api.get<{ version: number }>(`/flags/${e(flag)}/environments/${e(env)}`)).version;
    const body = { flag, config, version: base, ...(values.reason && { reason: values.reason }) };
    const change = await api.post<{ id: string; requiredApprovals: number }>(`/environments/${e(env)}/change-requests`, body, {
      idempotencyKey: crypto.randomUUID(),
    });
    ctx.out(
      values.json
        ? `${JSON.stringify(change, null, 2)}\n`
        : `proposed ${change.id}: ${flag} in ${env} from version ${base}, needs ${change.requiredApprovals} approval(s)\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    ctx.err(`edgeflags changes propose: ${err.message}${err.code ? ` (${err.code})` : ''}\n`);
    return err.status === 0 ? EXIT.unreachable : EXIT.failed;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      flag: { type: 'string' },
      file: { type: 'string' },
      version: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
