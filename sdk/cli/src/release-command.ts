/**
 * `edgeflags release <action>`: guarded releases from a pipeline.
 *
 *   edgeflags release start  --flag new-pdf-engine --env production --template seed-001 --reason "deploy 412"
 *   edgeflags release status --flag new-pdf-engine --env production --wait   # exit 0 completed, 1 rolled back
 *   edgeflags release approve --flag new-pdf-engine --env production --reason "dashboards green"
 *
 * Exit codes: 0 done (or already so), 1 refused or failed (the API said no; for status and --wait
 * also a release rolled back or aborted, or still running at --timeout), 2 usage. Writes send the plan's version (If-Match) and one
 * Idempotency-Key for all their attempts.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AdminClient, ApiFailure } from './admin-client.ts';
import type { CliContext, Command } from './cli-context.ts';
import { EXIT } from './cli-context.ts';
import { type Detail, describe, FAILED, outcomeHolds, type PlanAction, Releases, TERMINAL } from './release-api.ts';

const ACTIONS = ['start', 'status', 'approve', 'reject', 'pause', 'resume', 'rollback', 'abort'] as const;
type Action = (typeof ACTIONS)[number];

export const RELEASE_USAGE = `usage: edgeflags release <${ACTIONS.join('|')}> --flag <key> --env <environment> [options]
  --plan <id>             the release (default: the live one; status: the newest)
  --template <name>       start: the plan template (seed-001, seed-003, default)
  --reason <text>         why, for the audit log and the release timeline
  --wait                  after the action (or for status), wait until the release completes,
                          is rolled back or aborted; the exit code is the outcome
  --timeout <seconds>     with --wait: give up (exit 1) after this long
  --interval <seconds>    with --wait: how often to look (default 10)
  --json                  print the release as JSON
  --idempotency-key <k>   reuse a key across invocations (default: one per invocation)
  --url, --token          default to EDGEFLAGS_URL and EDGEFLAGS_TOKEN
exit codes: 0 done, 1 refused or failed (status and --wait: also rolled back, aborted, timed out), 2 usage`;

const usage = (ctx: CliContext, problem: string) => {
  ctx.err(`edgeflags release: ${problem}\n${RELEASE_USAGE}\n`);
  return EXIT.usage;
};

const seconds = (v: string | undefined, name: string): number | undefined | Error => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : new Error(`--${name} must be a positive number of seconds`);
};

export const releaseCommand: Command = {
  name: 'release',
  summary: 'start, watch and steer guarded releases (start|status|approve|reject|pause|resume|rollback|abort)',
  usage: RELEASE_USAGE,
  run: runRelease,
};

async function runRelease(argv: string[], ctx: CliContext): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv, ctx);
  } catch (e) {
    return usage(ctx, e instanceof Error ? e.message : String(e));
  }
  const { values, action } = parsed;
  if (values.help) {
    ctx.out(`${RELEASE_USAGE}\n`);
    return EXIT.ok;
  }
  if (!action || !(ACTIONS as readonly string[]).includes(action))
    return usage(ctx, action ? `unknown action "${action}"` : 'name an action');
  if (!values.flag || !values.env) return usage(ctx, 'set --flag and --env');
  if (!values.url || !values.token) return usage(ctx, 'set --url and --token (or EDGEFLAGS_URL and EDGEFLAGS_TOKEN)');
  if (values.template && action !== 'start') return usage(ctx, '--template is for start');
  const timeout = seconds(values.timeout, 'timeout');
  const interval = seconds(values.interval, 'interval');
  if (timeout instanceof Error) return usage(ctx, timeout.message);
  if (interval instanceof Error) return usage(ctx, interval.message);

  const api = new AdminClient({
    url: values.url,
    token: values.token,
    ...(ctx.fetch && { fetch: ctx.fetch }),
    ...(ctx.sleep && { sleep: ctx.sleep }),
  });
  const releases = new Releases(api, values.flag, values.env);
  const key = values['idempotency-key'] ?? `edgeflags-cli-${randomUUID()}`;
  try {
    let detail = await run(action as Action, releases, { plan: values.plan, template: values.template, reason: values.reason, key }, ctx);
    if (!detail) return EXIT.failed;
    if (values.wait)
      detail = await waitForEnd(releases, detail, { timeoutMs: timeout && timeout * 1000, intervalMs: (interval ?? 10) * 1000 }, ctx);
    if (values.json) ctx.out(`${JSON.stringify(detail, null, 2)}\n`);
    else ctx.out(`${describe(detail)}\n`);
    if (values.wait && !TERMINAL.includes(detail.plan.status)) {
      ctx.err(`edgeflags release: still ${detail.plan.status} after ${timeout} s\n`);
      return EXIT.failed;
    }
    // An action succeeded when it applied (a rollback's rolled_back is its success); status and
    // --wait answer for the release itself, so a pipeline step fails with it.
    const judged = action === 'status' || values.wait;
    return judged && FAILED.includes(detail.plan.status) ? EXIT.failed : EXIT.ok;
  } catch (e) {
    ctx.err(`edgeflags release ${action}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  }
}

function parse(argv: string[], ctx: CliContext) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      flag: { type: 'string' },
      env: { type: 'string' },
      plan: { type: 'string' },
      template: { type: 'string' },
      reason: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean', default: false },
      'idempotency-key': { type: 'string' },
      url: { type: 'string', default: ctx.env.EDGEFLAGS_URL },
      token: { type: 'string', default: ctx.env.EDGEFLAGS_TOKEN ?? ctx.env.EDGEFLAGS_ADMIN_TOKEN },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new Error(`unexpected "${positionals[1]}"`);
  return { values, action: positionals[0] };
}

interface RunOptions {
  plan: string | undefined;
  template: string | undefined;
  reason: string | undefined;
  key: string;
}

/** Runs the action; answers the release as it is after it, or undefined (reported) when there is none. */
async function run(action: Action, releases: Releases, o: RunOptions, ctx: CliContext): Promise<Detail | undefined> {
  if (action === 'start' && !o.plan) {
    const body = { start: true, ...(o.template && { template: o.template }), ...(o.reason && { reason: o.reason }) };
    const { plan } = await releases.create(body, o.key);
    return releases.detail(plan.id);
  }
  const plan = await releases.find(o.plan, action !== 'status' && action !== 'start');
  if (!plan && action !== 'status' && action !== 'start') {
    // No live release: a retried step (rollback, reject, the last approve), or the engine rolled it
    // back first. If the newest release already ended the way this asks, that is the outcome the
    // pipeline wanted (exit 0).
    const newest = await releases.find(undefined, false);
    const now = newest && (await releases.detail(newest.id));
    if (now && outcomeHolds(action, now, now.plan.currentStage)) {
      ctx.err(`edgeflags release ${action}: already done (${now.plan.status}); nothing changed\n`);
      return now;
    }
  }
  if (!plan) {
    ctx.err(`edgeflags release ${action}: no ${action === 'status' ? '' : 'live '}release of the flag in this environment\n`);
    return undefined;
  }
  if (action === 'status') return releases.detail(plan.id);
  try {
    await releases.act(action as PlanAction, plan, o.reason, o.key);
  } catch (e) {
    // A conflict or a refusal may mean the outcome already holds (a retried CI step): say so, exit 0.
    if (!(e instanceof ApiFailure) || ![409, 422].includes(e.status)) throw e;
    const now = await releases.detail(plan.id);
    if (!outcomeHolds(action as PlanAction, now, plan.currentStage)) throw e;
    ctx.err(`edgeflags release ${action}: already done (${e.code ?? e.status}); nothing changed\n`);
    return now;
  }
  return releases.detail(plan.id);
}

async function waitForEnd(
  releases: Releases,
  start: Detail,
  { timeoutMs, intervalMs }: { timeoutMs: number | undefined; intervalMs: number },
  ctx: CliContext,
): Promise<Detail> {
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  let detail = start;
  let said = '';
  for (;;) {
    const line = describe(detail);
    // Progress goes to stderr, so stdout stays the one final answer (or JSON) a script reads.
    if (line !== said) ctx.err(`${line}\n`);
    said = line;
    if (TERMINAL.includes(detail.plan.status) || Date.now() >= deadline) return detail;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
    detail = await releases.detail(detail.plan.id);
  }
}
