import type { Context } from 'hono';
import { auditStatement } from '../admin/audit.ts';
import { staleVersion } from '../admin/conflicts.ts';
import { commitConfig, loadConfig, proposeSnapshot, publishConfig, writeConfig } from '../admin/write-config.ts';
import { checkWritePolicies } from '../admin/write-policies.ts';
import type { Actor, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { checkTypePolicies } from '../policies/type-policies.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { markApproved, requiredApprovals } from './change-review.ts';
import { approvalCount, approvalsOf, approverOf, type ChangeRequest, changeSubject, findChange, type Proposal } from './change-store.ts';

const refuse = (message: string, path = '') => new ApiError(422, 'rule_violation', message, { issues: [{ path, message }] });
const label = (actor: Actor) => `${actor.name} (${actor.id})`;

export interface ProposeBody {
  flag: string;
  action?: string | undefined;
  config: Proposal;
  /** The config version the proposal was written against. */
  version: number;
  reason?: string | undefined;
  applyAt?: number | undefined;
  inSnapshot?: boolean | undefined;
}

/** The config after the proposal, validated against the whole environment like a direct write. */
async function validated(c: Context<AppEnv>, environment: string, flagKey: string, proposal: Proposal) {
  const loaded = await loadConfig(c, flagKey, environment);
  const next = { ...loaded.config, ...proposal };
  // The flag's type policy too, so a request no one could ever apply is refused before review.
  await checkTypePolicies(c, { config: { flag: loaded.flag, before: loaded.config, after: next, production: loaded.env.production } });
  await proposeSnapshot(c, environment, toDefinition(loaded.flag, next));
  return loaded;
}

function checkTiming(body: { applyAt?: number | undefined; inSnapshot?: boolean | undefined }, now: number): void {
  if (body.inSnapshot && body.applyAt === undefined) throw refuse('inSnapshot needs applyAt: the instant the switch happens', 'inSnapshot');
  if (body.applyAt !== undefined && body.applyAt <= now) throw refuse('applyAt must be in the future (epoch ms)', 'applyAt');
}

/** A proposed flag-config change, written against the version its author saw. */
export async function proposeChange(c: Context<AppEnv>, environment: string, body: ProposeBody): Promise<ChangeRequest> {
  const now = Date.now();
  checkTiming(body, now);
  const loaded = await validated(c, environment, body.flag, body.config);
  if (loaded.config.version !== body.version)
    throw staleVersion(`flag "${body.flag}" in "${environment}"`, loaded.config.version, body.version);
  const actor = c.get('actor');
  const id = crypto.randomUUID();
  const required = await requiredApprovals(c.env.DB, environment);
  const insert = c.env.DB.prepare(
    `INSERT INTO change_requests (id, environment, flag_key, action, proposal, base_version, required_approvals, apply_at, in_snapshot, author_id, author, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).bind(
    id,
    environment,
    body.flag,
    body.action ?? 'config.update',
    JSON.stringify(body.config),
    body.version,
    required,
    body.applyAt ?? null,
    body.inSnapshot ? 1 : 0,
    approverOf(actor),
    label(actor),
    body.reason ?? null,
  );
  await c.env.DB.batch([insert, audit(c, 'change_request.created', id, environment, undefined, body, body.reason)]);
  return findChange(c.env.DB, environment, id);
}

function audit(
  c: Context<AppEnv>,
  action: string,
  id: string,
  environment: string,
  before: unknown,
  after: unknown,
  reason?: string | null,
) {
  return auditStatement(
    c.env.DB,
    {
      actor: c.get('actor'),
      action,
      resourceType: 'change_request',
      resourceKey: id,
      environment,
      before,
      after,
      reason: reason ?? undefined,
    },
    true,
  );
}

function expectOpen(change: ChangeRequest, verb: string): void {
  if (change.status !== 'open') throw refuse(`change request ${change.id} is ${change.status}: only an open one can be ${verb}`);
}

function checkVersion(change: ChangeRequest, expected: number): void {
  if (change.version !== expected) throw staleVersion(`change request ${change.id}`, change.version, expected);
}

/** One guarded update of the request (its version moves), then its audit entry, in one batch. */
async function update(
  c: Context<AppEnv>,
  change: ChangeRequest,
  expected: number,
  set: string,
  params: unknown[],
  extra: D1PreparedStatement[] = [],
) {
  const [result] = await c.env.DB.batch([
    c.env.DB.prepare(`UPDATE change_requests SET ${set}, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`).bind(
      ...params,
      Date.now(),
      change.id,
      expected,
    ),
    ...extra,
  ]);
  if (result?.meta.changes !== 1) throw staleVersion(`change request ${change.id}`);
  return findChange(c.env.DB, change.environment, change.id);
}

export interface EditBody {
  config?: Proposal | undefined;
  /** Rebase: the config version the edited proposal was written against. */
  baseVersion?: number | undefined;
  applyAt?: number | null | undefined;
  reason?: string | undefined;
}

/** The author's edit: a new revision, so approvals given to the old one no longer count (they are cancelled). */
export async function editChange(c: Context<AppEnv>, change: ChangeRequest, expected: number, body: EditBody): Promise<ChangeRequest> {
  expectOpen(change, 'edited');
  checkVersion(change, expected);
  const actor = c.get('actor');
  if (approverOf(actor) !== change.authorId) throw refuse(`only its author (${change.author}) edits change request ${change.id}`);
  const proposal = body.config ?? change.proposal;
  const applyAt = body.applyAt === undefined ? change.applyAt : body.applyAt;
  if (body.applyAt !== undefined && body.applyAt !== null) checkTiming({ applyAt: body.applyAt }, Date.now());
  if (change.inSnapshot && applyAt === null) throw refuse('a change carried in the snapshot needs applyAt', 'applyAt');
  const loaded = await validated(c, change.environment, change.flagKey, proposal);
  // A rebase is onto the version the author just read: the flag as it is now.
  if (body.baseVersion !== undefined && body.baseVersion !== loaded.config.version)
    throw staleVersion(`flag "${change.flagKey}" in "${change.environment}"`, loaded.config.version, body.baseVersion);
  const revoke = c.env.DB.prepare(
    "UPDATE approvals SET status = 'cancelled', reason = 'the change request was edited' WHERE subject = ? AND status IN ('approved', 'rejected') AND EXISTS (SELECT 1 FROM change_requests WHERE id = ? AND revision = ?)",
  ).bind(changeSubject(change.id, change.revision), change.id, change.revision + 1);
  return update(
    c,
    change,
    expected,
    'proposal = ?, base_version = ?, apply_at = ?, reason = ?, revision = revision + 1',
    [JSON.stringify(proposal), body.baseVersion ?? change.baseVersion, applyAt, body.reason ?? change.reason],
    [audit(c, 'change_request.edited', change.id, change.environment, change.proposal, proposal, body.reason), revoke],
  );
}

/** A person other than the author approves (or rejects) the current revision. */
export async function decideChange(
  c: Context<AppEnv>,
  change: ChangeRequest,
  expected: number,
  decision: 'approved' | 'rejected',
  reason?: string,
): Promise<ChangeRequest> {
  expectOpen(change, decision);
  checkVersion(change, expected);
  const actor = c.get('actor');
  const who = approverOf(actor);
  if (who === change.authorId)
    throw refuse(`the author of change request ${change.id} cannot ${decision === 'approved' ? 'approve' : 'reject'} it`);
  const decided = await approvalsOf(c.env.DB, change);
  if (decided.some((a) => a.by === who)) throw refuse(`you already decided on revision ${change.revision} of change request ${change.id}`);
  const row = c.env.DB.prepare(
    'INSERT INTO approvals (id, subject, environment, status, requested_by, decided_by, decided_at, reason) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1',
  ).bind(
    crypto.randomUUID(),
    changeSubject(change.id, change.revision),
    change.environment,
    decision,
    change.authorId,
    who,
    Date.now(),
    reason ?? null,
  );
  const action = decision === 'approved' ? 'change_request.approved' : 'change_request.rejected';
  const status = decision === 'rejected' ? `status = 'rejected', outcome = ?` : 'outcome = outcome';
  const params = decision === 'rejected' ? [`rejected by ${label(actor)}`] : [];
  // The approval row is chained on the request's guarded update, so a decision on a stale revision writes nothing.
  return update(c, change, expected, status, params, [
    row,
    audit(c, action, change.id, change.environment, undefined, { revision: change.revision }, reason),
  ]);
}

/** The author (or an admin) withdraws an open request. */
export async function cancelChange(c: Context<AppEnv>, change: ChangeRequest, expected: number, reason?: string): Promise<ChangeRequest> {
  expectOpen(change, 'cancelled');
  checkVersion(change, expected);
  const actor = c.get('actor');
  if (approverOf(actor) !== change.authorId && actor.role !== 'admin')
    throw refuse(`only its author (${change.author}) or an admin cancels change request ${change.id}`);
  return update(
    c,
    change,
    expected,
    "status = 'cancelled', outcome = ?",
    [`cancelled by ${label(actor)}`],
    [audit(c, 'change_request.cancelled', change.id, change.environment, undefined, undefined, reason)],
  );
}

/**
 * What a request needs now: what its environment asked when it was proposed, or more if the
 * environment has asked for more since. A request proposed while review was off (or lighter)
 * must not carry a production write past a review turned on later.
 */
export async function approvalsNeeded(db: D1Database, change: ChangeRequest): Promise<number> {
  return Math.max(change.requiredApprovals, await requiredApprovals(db, change.environment));
}

/** Enough approvals from people other than the author, on the current revision (422 otherwise). */
async function assertApproved(c: Context<AppEnv>, change: ChangeRequest): Promise<string[]> {
  const approvals = await approvalsOf(c.env.DB, change);
  const have = approvalCount(change, approvals);
  const required = await approvalsNeeded(c.env.DB, change);
  if (have < required) throw refuse(`change request ${change.id} has ${have} of ${required} approvals from people other than its author`);
  return approvals.filter((a) => a.status === 'approved').map((a) => a.by);
}

/**
 * Applies an approved request as an ordinary guarded write: the flag must still be at the version
 * the request was written against (409 version_conflict otherwise: review what changed, edit and
 * rebase), policies run, the write is audited under the applier with the approvers in its reason.
 * A request carried in the snapshot installs its switch instead (it happens at `applyAt`).
 */
export async function applyChange(c: Context<AppEnv>, change: ChangeRequest, expected: number, now = Date.now()) {
  expectOpen(change, 'applied');
  checkVersion(change, expected);
  if (change.applyAt !== null && !change.inSnapshot && now < change.applyAt)
    throw refuse(`change request ${change.id} is scheduled for ${new Date(change.applyAt).toISOString()}; it applies itself then`);
  const approvers = await assertApproved(c, change);
  const reason = `change request ${change.id}${approvers.length ? ` approved by ${approvers.join(', ')}` : ''}${change.reason ? `: ${change.reason}` : ''}`;
  const params = { flagKey: change.flagKey, environment: change.environment, action: change.action, reason };
  markApproved(c);
  const write = change.inSnapshot
    ? await installSwitch(c, change, reason)
    : await writeConfig(c, { ...params, expected: change.baseVersion }, () => change.proposal);
  const outcome = change.inSnapshot ? `switch scheduled at ${new Date(change.applyAt as number).toISOString()}` : 'applied';
  const applied = await c.env.DB.prepare(
    "UPDATE change_requests SET status = 'applied', applied_version = ?, outcome = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = 'open'",
  )
    .bind(write.config.version, outcome, Date.now(), change.id)
    .run();
  if (applied.meta.changes !== 1) throw staleVersion(`change request ${change.id}`);
  return { changeRequest: await findChange(c.env.DB, change.environment, change.id), write };
}

/** Puts the proposal in the snapshot as a switch at `applyAt` (a guarded write of the config). */
async function installSwitch(c: Context<AppEnv>, change: ChangeRequest, reason: string) {
  const loaded = await loadConfig(c, change.flagKey, change.environment);
  // The type policies judge what the flag will serve once the switch happens (a policy may have
  // tightened since the proposal): the edge applies the switch later with no one checking again.
  const switched = { ...loaded.config, ...change.proposal } as typeof loaded.config;
  await checkWritePolicies(c, {
    action: 'config.schedule',
    resourceKey: change.flagKey,
    environment: change.environment,
    protective: false,
    config: { flag: loaded.flag, before: loaded.config, after: switched, production: loaded.env.production },
  });
  const what = `flag "${change.flagKey}" in "${change.environment}"`;
  if (loaded.config.version !== change.baseVersion) throw staleVersion(what, loaded.config.version, change.baseVersion);
  // The column's JSON type is loose (drizzle/schema.ts); the snapshot schema validates the switch below.
  const scheduledSwitch = { at: change.applyAt as number, config: change.proposal } as unknown as NonNullable<
    typeof loaded.config.scheduledSwitch
  >;
  const next = { ...loaded.config, scheduledSwitch };
  // The switched configuration as the environment stands now (segments, prerequisites, cycles: the
  // snapshot schema only checks a switch's variants), since what it names may have gone since the
  // proposal; then the snapshot that carries it (size, variants).
  await proposeSnapshot(c, change.environment, toDefinition(loaded.flag, switched));
  await proposeSnapshot(c, change.environment, toDefinition(loaded.flag, next));
  return commitSwitch(c, loaded, next, { flagKey: change.flagKey, environment: change.environment, action: 'config.schedule', reason });
}

/** The guarded commit of a config whose scheduled_switch changed (commitConfig leaves that column alone). */
export async function commitSwitch(
  c: Context<AppEnv>,
  loaded: Awaited<ReturnType<typeof loadConfig>>,
  next: typeof loaded.config,
  params: { flagKey: string; environment: string; action: string; reason: string },
) {
  const set = c.env.DB.prepare(
    'UPDATE flag_configs SET scheduled_switch = ? WHERE flag_key = ? AND environment = ? AND version = ? AND changes() = 1',
  ).bind(next.scheduledSwitch ? JSON.stringify(next.scheduledSwitch) : null, params.flagKey, params.environment, loaded.config.version + 1);
  const after = await commitConfig(c, loaded, next, params, { after: [set] });
  if (!after) throw staleVersion(`flag "${params.flagKey}" in "${params.environment}"`);
  return publishConfig(c, params.flagKey, params.environment, after);
}
