/**
 * `edgeflags changes`: change requests of an environment (docs/change-requests.md).
 *
 *   edgeflags changes list --env production              # open requests: id, flag, author, approvals
 *   edgeflags changes show <id> --env production         # the diff from what the flag serves now
 *   edgeflags changes approve <id> --env production --reason "looks right"
 *   edgeflags changes apply <id> --env production        # exit 1 when refused (not enough approvals, flag moved: 409)
 */
import { parseArgs } from 'node:util';
import { AdminClient, ApiFailure } from './admin-client.ts';
import type { CliContext, Command } from './cli-context.ts';
import { EXIT } from './cli-context.ts';
import { runPropose } from './propose-command.ts';

export const CHANGES_USAGE = `usage: edgeflags changes <list|show|approve|reject|apply|cancel> [id] --env <environment> [options]
       edgeflags changes propose --env <environment> --flag <key> --file <config.json> (see edgeflags changes propose --help)
  --env <key>         the environment (required)
  --status <status>   list: open (default), applied, rejected, cancelled, failed or all
  --reason <text>     approve, reject, apply, cancel: why, for the audit log
  --json              print the API's answer as JSON
  --url, --token      default to EDGEFLAGS_URL and EDGEFLAGS_TOKEN (an admin token)
exit codes: 0 ok, 1 refused (e.g. your own request, not enough approvals, the flag moved), 2 usage, 3 service unreachable`;

interface ChangeRequest {
  id: string;
  flagKey: string;
  author: string;
  status: string;
  requiredApprovals: number;
  applyAt: number | null;
  version: number;
  reason: string | null;
}
interface Detail {
  changeRequest: ChangeRequest;
  approvalsCounted: number;
  diff: { field: string; before: unknown; after: unknown }[];
  stale: boolean;
}

const ACTIONS = ['approve', 'reject', 'apply', 'cancel'] as const;

export const changesCommand: Command = {
  name: 'changes',
  summary: 'review change requests (list, show, approve, reject, apply, cancel)',
  usage: CHANGES_USAGE,
  run: runChanges,
};

const usage = (ctx: CliContext, problem: string) => {
  ctx.err(`edgeflags changes: ${problem}\n${CHANGES_USAGE}\n`);
  return EXIT.usage;
};

async function runChanges(argv: string[], ctx: CliContext): Promise<number> {
  if (argv[0] === 'propose') return runPropose(argv.slice(1), ctx);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return usage(ctx, e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  const [action, id] = positionals;
  if (values.help) {
    ctx.out(`${CHANGES_USAGE}\n`);
    return EXIT.ok;
  }
  if (!action) return usage(ctx, 'name an action');
  const env = values.env;
  if (!env) return usage(ctx, '--env is required');
  const url = values.url ?? ctx.env.EDGEFLAGS_URL;
  const token = values.token ?? ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN;
  if (!url || !token) return usage(ctx, 'set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
  const api = new AdminClient({ url, token, ...(ctx.fetch && { fetch: ctx.fetch }), ...(ctx.sleep && { sleep: ctx.sleep }) });
  const base = `/environments/${encodeURIComponent(env)}/change-requests`;
  const print = (answer: unknown, text: string) => ctx.out(values.json ? `${JSON.stringify(answer, null, 2)}\n` : text);
  try {
    if (action === 'list') {
      const status = values.status ?? 'open';
      const answer = await api.get<{ changeRequests: ChangeRequest[] }>(
        status === 'all' ? base : `${base}?status=${encodeURIComponent(status)}`,
      );
      const lines = answer.changeRequests.map(
        (c) =>
          `${c.id}  ${c.flagKey}  ${c.status}  by ${c.author}  needs ${c.requiredApprovals}${c.applyAt ? `  at ${new Date(c.applyAt).toISOString()}` : ''}${c.reason ? `  "${c.reason}"` : ''}`,
      );
      print(answer, lines.length ? `${lines.join('\n')}\n` : `no ${status === 'all' ? '' : `${status} `}change requests in ${env}\n`);
      return EXIT.ok;
    }
    if (!id) return usage(ctx, `${action} needs a change request id`);
    const detail = await api.get<Detail>(`${base}/${encodeURIComponent(id)}`);
    if (action === 'show') {
      print(detail, describe(detail));
      return EXIT.ok;
    }
    if (!(ACTIONS as readonly string[]).includes(action)) return usage(ctx, `unknown action "${action}"`);
    const body = { version: detail.changeRequest.version, ...(values.reason && { reason: values.reason }) };
    const answer = await api.post<unknown>(`${base}/${encodeURIComponent(id)}/${action}`, body, {
      version: detail.changeRequest.version,
      idempotencyKey: crypto.randomUUID(),
    });
    print(answer, `${action}: ${detail.changeRequest.flagKey} (${id}) done\n`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ApiFailure)) throw e;
    ctx.err(`edgeflags changes ${action}: ${e.message}${e.code ? ` (${e.code})` : ''}\n`);
    return e.status === 0 ? EXIT.unreachable : EXIT.failed;
  }
}

function describe(d: Detail): string {
  const c = d.changeRequest;
  const head = `${c.flagKey}: ${c.status}, ${d.approvalsCounted} of ${c.requiredApprovals} approvals, by ${c.author}${d.stale ? ' (the flag moved since: apply would be refused)' : ''}`;
  const fields = d.diff.map((f) => `  ${f.field}: ${JSON.stringify(f.before)} -> ${JSON.stringify(f.after)}`);
  return `${[head, ...fields].join('\n')}\n`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
