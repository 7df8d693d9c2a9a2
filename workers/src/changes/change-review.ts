import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';

/** What checkChangeRequests needs of a pending write (structurally the policies' PendingWrite). */
export interface ReviewedWrite {
  action: string;
  environment?: string | undefined;
  protective: boolean;
}

/**
 * Requests whose write was approved (or scheduled and due): the change-request apply path marks
 * its own context, so the one pre-commit hook lets exactly that write through. A WeakSet keyed by
 * the request context: nothing outside this module can mark a write, and nothing outlives it.
 */
const approved = new WeakSet<Context<AppEnv>>();

export function markApproved(c: Context<AppEnv>): void {
  approved.add(c);
}

/** Flag-config writes in an environment, the only writes an environment's review covers. */
const reviewed = (write: ReviewedWrite) => write.environment !== undefined && !write.action.startsWith('segment.');

/** An environment's `required_approvals` (0 when it reviews nothing). */
export async function requiredApprovals(db: D1Database, environment: string): Promise<number> {
  const row = await db.prepare('SELECT required_approvals AS n FROM environments WHERE key = ?').bind(environment).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Called once from checkWritePolicies. In an environment that reviews writes, a direct flag-config
 * write is refused with 422 `review_required` (a rule of the environment refuses a well-formed
 * write: the status convention's 422); the answer names where to propose it instead. A 202 that
 * creates the request behind the caller's back was rejected: a client that retries, or that reads
 * a 2xx as "saved", would pile up requests or believe an unreviewed change is live.
 * Protective moves (the kill switch) never get here (checkWritePolicies returns before), and
 * release rollbacks and the conductor's steps do not take this path at all.
 */
export async function checkChangeRequests(c: Context<AppEnv>, write: ReviewedWrite): Promise<void> {
  if (write.protective || !reviewed(write) || approved.has(c)) return;
  const environment = write.environment as string;
  const required = await requiredApprovals(c.env.DB, environment);
  if (required === 0) return;
  throw new ApiError(
    422,
    'review_required',
    `"${environment}" needs ${required} approval${required === 1 ? '' : 's'} for flag changes: propose it with POST /api/v1/environments/${environment}/change-requests (the kill switch needs none)`,
    { requiredApprovals: required, changeRequests: `/api/v1/environments/${environment}/change-requests` },
  );
}
