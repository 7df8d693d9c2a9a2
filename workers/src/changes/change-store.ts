import type { ChangeRequestStatus, flagConfigs } from '../../../drizzle/schema.ts';
import type { Actor } from '../app-env.ts';
import { notFound } from '../errors.ts';

/** The flag-config fields a change request proposes (what a config PUT sets). */
export type Proposal = Pick<
  typeof flagConfigs.$inferSelect,
  'enabled' | 'offVariant' | 'prerequisites' | 'targets' | 'rules' | 'defaultServe' | 'bucketBy'
>;

export interface ChangeRequest {
  id: string;
  environment: string;
  flagKey: string;
  action: string;
  proposal: Proposal;
  baseVersion: number;
  status: ChangeRequestStatus;
  requiredApprovals: number;
  revision: number;
  applyAt: number | null;
  inSnapshot: boolean;
  authorId: string;
  author: string;
  reason: string | null;
  outcome: string | null;
  appliedVersion: number | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface Approval {
  id: string;
  by: string;
  at: number;
  status: 'approved' | 'rejected';
  reason: string | null;
}

const COLUMNS = `id, environment, flag_key AS flagKey, action, proposal, base_version AS baseVersion, status,
  required_approvals AS requiredApprovals, revision, apply_at AS applyAt, in_snapshot AS inSnapshot, author_id AS authorId,
  author, reason, outcome, applied_version AS appliedVersion, version, created_at AS createdAt, updated_at AS updatedAt`;

type Raw = Omit<ChangeRequest, 'proposal' | 'inSnapshot'> & { proposal: string; inSnapshot: number };
const parse = (r: Raw): ChangeRequest => ({ ...r, proposal: JSON.parse(r.proposal) as Proposal, inSnapshot: r.inSnapshot === 1 });

/**
 * The approvals table's subject for one revision of a request. An edit bumps the revision, so
 * approvals given to an earlier revision stop counting (and are marked cancelled).
 */
export const changeSubject = (id: string, revision: number) => `change:${id}:${revision}`;

/**
 * Who a person is in approvals, deciding "someone other than the author": the person when there
 * is one (signed in through Access, `person:<email>`, or a token they own), else the token. So
 * Ada's Access sign-in and her tokens are one approver, not one per credential.
 */
export const approverOf = (actor: Actor) => (actor.person ? `person:${actor.person.email}` : actor.id);

export async function findChange(db: D1Database, environment: string, id: string): Promise<ChangeRequest> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM change_requests WHERE id = ? AND environment = ?`)
    .bind(id, environment)
    .first<Raw>();
  if (!row) throw notFound(`change request "${id}" in "${environment}"`);
  return parse(row);
}

export async function listChanges(db: D1Database, environment: string, status?: ChangeRequestStatus): Promise<ChangeRequest[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM change_requests WHERE environment = ?${status ? ' AND status = ?' : ''} ORDER BY created_at DESC LIMIT 200`,
    )
    .bind(...(status ? [environment, status] : [environment]))
    .all<Raw>();
  return results.map(parse);
}

/** Open requests whose time has come (or that ride in the snapshot and are not installed yet). */
export async function dueChanges(db: D1Database, now: number): Promise<ChangeRequest[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM change_requests WHERE status = 'open' AND apply_at IS NOT NULL AND (apply_at <= ? OR in_snapshot = 1) ORDER BY apply_at LIMIT 50`,
    )
    .bind(now)
    .all<Raw>();
  return results.map(parse);
}

/** Decisions on the request's current revision, oldest first (one per person). */
export async function approvalsOf(db: D1Database, change: ChangeRequest): Promise<Approval[]> {
  const { results } = await db
    .prepare(
      "SELECT id, decided_by AS \"by\", decided_at AS at, status, reason FROM approvals WHERE subject = ? AND status IN ('approved', 'rejected') ORDER BY decided_at, rowid",
    )
    .bind(changeSubject(change.id, change.revision))
    .all<Approval>();
  return results;
}

/** How many distinct people other than the author approved this revision. */
export const approvalCount = (change: ChangeRequest, approvals: Approval[]) =>
  new Set(approvals.filter((a) => a.status === 'approved' && a.by !== change.authorId).map((a) => a.by)).size;

/**
 * Withdraws `approver`'s approvals of open change requests and release drafts (their authority was withdrawn: an email
 * binding deleted, an unowned token revoked): an approval counts only while the person who gave
 * it still may. Cancelled, not deleted; if they still have access (a group, an owned token) they
 * approve again.
 */
export function withdrawApprovals(db: D1Database, approver: string, why: string): D1PreparedStatement {
  // A release draft's approval is decided by an actorLabel (`Name <email>`, `email via token …`,
  // `name (token id)`), so it is matched by the forms labelNames reads.
  const email = approver.startsWith('person:') ? approver.slice('person:'.length) : null;
  const byLabel = email
    ? `(decided_by = ?3 OR substr(decided_by, 1, length(?3) + 11) = ?3 || ' via token ' OR substr(decided_by, -(length(?3) + 3)) = ' <' || ?3 || '>')`
    : `substr(decided_by, -(length(?3) + 2)) = '(' || ?3 || ')'`;
  return db
    .prepare(
      `UPDATE approvals SET status = 'cancelled', reason = ?1 WHERE status = 'approved' AND (
         (decided_by = ?2 AND subject IN (SELECT 'change:' || id || ':' || revision FROM change_requests WHERE status = 'open'))
         OR (${byLabel} AND subject IN (SELECT 'release:' || id || ':plan' FROM release_plans WHERE status = 'draft')))`,
    )
    .bind(why, approver, email ?? approver);
}
