/**
 * `edgeflags promote`: a flag's configuration moved from one environment to another as a
 * reviewed diff (docs/change-requests.md, issue 11 §6).
 *
 *   edgeflags promote new-checkout --from staging --to production           # prints the diff
 *   edgeflags promote new-checkout --from staging --to production --apply   # applies it, or proposes
 *                                                                           # it where production is reviewed
 *
 * `--apply` sends the target version the printed diff was computed against, so a target that
 * moved in between is refused (409, exit 1) rather than overwritten unseen.
 */
import { parseArgs } from 'node:util';
import { AdminClient, ApiFailure } from './admin-client.ts';
import { type CliContext, type Command, EXIT } from './cli-context.ts';

export const PROMOTE_USAGE = `usage: edgeflags promote <flag> --from <environment> --to <environment> [--apply] [options]
  --apply             apply the diff (or propose it as a change request where --to requires approvals)
  --reason <text>     why, for the audit log (default: "promoted from <from> (v<n>)")
  --json              print the API's answer as JSON
exit codes: 0 previewed or done, 1 refused (a policy, the target moved: 409), 2 usage, 3 service unreachable`;

interface Promotion {
  fromVersion: number;
  toVersion: number;
  diff: { field: string; before: unknown; after: unknown }[];
  outcome: 'preview' | 'applied' | 'proposed' | 'unchanged';
  write?: { config: { version: number } };
  changeRequest?: { id: string; requiredApprovals: number };
}

export const promoteCommand: Command = {
  name: 'promote',
  summary: "move a flag's configuration between environments as a reviewed diff",
  usage: PROMOTE_USAGE,
  run: runPromote,
};

const usage = (ctx: CliContext, problem: string) => {
  ctx.err(`edgeflags promote: ${problem}\n${PROMOTE_USAGE}\n`);
  return EXIT.usage;
};

async function runPromote(argv: string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return usage(ctx, e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    ctx.out(`${PROMOTE_USAGE}\n`);
    return EXIT.ok;
  }
  const [flag, extra] = positionals;
  if (!flag || extra !== undefined) return usage(ctx, 'name one flag');
  const { from, to } = values;
  if (!from || !to) return usage(ctx, '--from and --to are required');
  const url = values.url ?? ctx.env.EDGEFLAGS_URL;
  const token = values.token ?? ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN;
  if (!url || !token) return usage(ctx, 'set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
  const api = new AdminClient({ url, token, ...(ctx.fetch && { fetch: ctx.fetch }), ...(ctx.sleep && { sleep: ctx.sleep }) });
  const route = `/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(to)}/promote`;
  const print = (answer: unknown, text: string) => ctx.out(values.json ? `${JSON.stringify(answer, null, 2)}\n` : text);
  try {
    const preview = await api.post<Promotion>(route, { from }, { idempotencyKey: crypto.randomUUID() });
    const head = `${flag}: ${from} (v${preview.fromVersion}) -> ${to} (v${preview.toVersion})`;
    const lines = preview.diff.map((d) => `  ${d.field}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`);
    const diffText = `${head}\n${lines.length ? lines.join('\n') : '  no differences'}\n`;
    if (!values.apply) {
      print(preview, diffText);
      return EXIT.ok;
    }
    const body = { from, apply: true, version: preview.toVersion, ...(values.reason && { reason: values.reason }) };
    const done = await api.post<Promotion>(route, body, { idempotencyKey: crypto.randomUUID() });
    const outcome =
      done.outcome === 'applied'
        ? `applied: ${flag} in ${to} is now version ${done.write?.config.version}`
        : done.outcome === 'proposed'
          ? `proposed ${done.changeRequest?.id}: ${to} needs ${done.changeRequest?.requiredApprovals} approval(s) (edgeflags changes show ${done.changeRequest?.id} --env ${to})`
          : `unchanged: ${to} already has the configuration of ${from}`;
    print(done, `${diffText}${outcome}\n`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ApiFailure)) throw e;
    ctx.err(`edgeflags promote: ${e.message}${e.code ? ` (${e.code})` : ''}\n`);
    return e.status === 0 ? EXIT.unreachable : EXIT.failed;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      apply: { type: 'boolean' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
