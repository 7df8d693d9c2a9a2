/**
 * `edgeflags audit verify`: fetches the anchored chain head, then every audit entry page by page,
 * recomputes the hash chain here, and names the first entry that was edited, deleted or cut off
 * the end (docs/audit.md).
 *
 *   edgeflags audit verify                                  # exit 0 intact, 1 tampered
 *   edgeflags audit verify --expect-head 1432:9f86d08…      # also: this entry is still in the chain
 *
 * --expect-head pins a head printed by an earlier run (kept outside edgeflags, e.g. in CI logs):
 * it catches a chain rewritten together with its anchor, which no check inside the service can.
 */
import { parseArgs } from 'node:util';
import { AdminClient, ApiFailure } from './admin-client.ts';
import { type ChainAnchor, type ChainEntry, ChainVerifier } from './audit-chain.ts';
import type { CliContext, Command } from './cli-context.ts';
import { EXIT } from './cli-context.ts';

export const AUDIT_USAGE = `usage: edgeflags audit verify [options]
  --expect-head <id>:<hash>  fail unless this entry (from an earlier run's "head") is still in the chain
  --page-size <n>            entries per request (default 500, at most 1000)
  --json                     print the verdict as JSON
  --url, --token             default to EDGEFLAGS_URL and EDGEFLAGS_TOKEN (an admin token)
exit codes: 0 chain intact, 1 an entry was edited, deleted or truncated, 2 usage, 3 service unreachable`;

interface Anchors {
  anchor: ChainAnchor | null;
}
interface ChainPage {
  entries: ChainEntry[];
  next: number | null;
}

const usage = (ctx: CliContext, problem: string) => {
  ctx.err(`edgeflags audit: ${problem}\n${AUDIT_USAGE}\n`);
  return EXIT.usage;
};

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the tamper-evident audit log (verify)',
  usage: AUDIT_USAGE,
  run: runAudit,
};

async function runAudit(argv: string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return usage(ctx, e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    ctx.out(`${AUDIT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals[0] !== 'verify' || positionals.length > 1)
    return usage(ctx, positionals[0] ? `unknown action "${positionals.join(' ')}"` : 'name an action');
  const url = values.url ?? ctx.env.EDGEFLAGS_URL;
  const token = values.token ?? ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN;
  if (!url || !token) return usage(ctx, 'set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
  const pageSize = Number(values['page-size'] ?? 500);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
    return usage(ctx, '--page-size must be a whole number from 1 to 1000');
  const pin = values['expect-head']?.match(/^(\d+):([0-9a-f]{64})$/);
  if (values['expect-head'] !== undefined && !pin)
    return usage(ctx, '--expect-head must be <id>:<64 hex characters>, as printed by an earlier run');

  const api = new AdminClient({ url, token, ...(ctx.fetch && { fetch: ctx.fetch }), ...(ctx.sleep && { sleep: ctx.sleep }) });
  try {
    // The anchor before the entries: a seal in between then adds entries, never a false truncation.
    const { anchor } = await api.get<Anchors>('/audit/anchor');
    const verifier = new ChainVerifier(anchor);
    let pinned: ChainEntry | undefined;
    for (let after: number | null = 0; after !== null; ) {
      const page: ChainPage = await api.get<ChainPage>(`/audit/chain?after=${after}&limit=${pageSize}`);
      await verifier.add(page.entries);
      if (pin) pinned ??= page.entries.find((e) => e.id === Number(pin[1]));
      after = page.next;
    }
    const result = verifier.finish();
    if (pin && pinned?.hash !== pin[2])
      result.problems.unshift({
        id: Number(pin[1]),
        kind: pinned ? 'edited' : 'deleted',
        message: pinned
          ? `entry ${pin[1]} no longer has the pinned hash: the chain was rewritten from it on`
          : `entry ${pin[1]}, the pinned head, is not in the log`,
      });
    const ok = result.problems.length === 0;
    const { entries, sealed, unsealed } = verifier;
    if (values.json) {
      ctx.out(`${JSON.stringify({ ok, entries, sealed, unsealed, head: result.head, anchor, problems: result.problems }, null, 2)}\n`);
    } else if (ok) {
      const head = result.head ? `head ${result.head.id}:${result.head.hash}` : 'no sealed entries yet';
      ctx.out(`audit chain intact: ${sealed} sealed entries, ${unsealed} not sealed yet; ${head}\n`);
    } else {
      const [first] = result.problems;
      ctx.out(`audit chain broken at entry ${first?.id} (${first?.kind}): ${first?.message}\n`);
      for (const p of result.problems.slice(1)) ctx.out(`  also entry ${p.id} (${p.kind}): ${p.message}\n`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  } catch (e) {
    if (e instanceof ApiFailure) {
      ctx.err(`edgeflags audit: ${e.message}\n`);
      return e.status === 0 ? EXIT.unreachable : e.status === 401 || e.status === 403 ? EXIT.usage : EXIT.failed;
    }
    throw e;
  }
}

const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });

const OPTIONS = {
  'expect-head': { type: 'string' },
  'page-size': { type: 'string' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
