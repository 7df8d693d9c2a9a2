import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { SEGMENT_USERS } from '../graph/dependency-graph.ts';

/** What checkChangeRequests needs of a pending write (structurally the policies' PendingWrite). */
export interface ReviewedWrite {
  action: string;
  resourceKey: string;
  environment?: string | undefined;
  protective: boolean;
  flag?: { before?: object | undefined; after: object } | undefined;
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

/**
 * A flag's own fields that every environment serves: a change to one changes what a reviewed
 * environment serves as surely as a config write (a variant's value, who may read the flag, and
 * which state the kill switch, unreviewed, moves into).
 */
const SERVED_FLAG_FIELDS = ['variants', 'clientVisible', 'protectiveState', 'kind'] as const;

/** Flag writes outside any one environment that change what every environment serves. */
function servesEverywhere(write: ReviewedWrite): boolean {
  if (write.action === 'flag.archive' || write.action === 'flag.restore') return true;
  const { before, after } = write.flag ?? {};
  if (!before || !after) return false; // a new flag: off in every environment, nothing served changes
  const was = before as Record<string, unknown>;
  const is = after as Record<string, unknown>;
  return SERVED_FLAG_FIELDS.some((f) => JSON.stringify(was[f]) !== JSON.stringify(is[f]));
}

/** The first environment that reviews writes, with its required approvals, if any. */
async function anyReviewed(db: D1Database): Promise<{ key: string; n: number } | null> {
  return db.prepare('SELECT key, required_approvals AS n FROM environments WHERE required_approvals > 0 ORDER BY key LIMIT 1').first();
}

/**
 * Whether a segment write changes what flags serve in its environment: creating one, or editing
 * or deleting one no live rule names, serves nothing new (a delete of a used one is refused anyway).
 */
async function segmentInUse(db: D1Database, environment: string, segment: string): Promise<boolean> {
  return (await db.prepare(`${SEGMENT_USERS} LIMIT 1`).bind(environment, segment).first()) !== null;
}

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
  if (write.protective || approved.has(c)) return;
  if (write.environment === undefined) return checkFlagWrite(c, write);
  const environment = write.environment;
  const required = await requiredApprovals(c.env.DB, environment);
  if (required === 0) return;
  if (write.action.startsWith('segment.')) {
    if (!(await segmentInUse(c.env.DB, environment, write.resourceKey))) return;
    throw new ApiError(
      422,
      'review_required',
      `segment "${write.resourceKey}" decides what flags serve in "${environment}", which needs ${required} approval${required === 1 ? '' : 's'} per change: create a new segment and propose pointing the rules at it (POST /api/v1/environments/${environment}/change-requests)`,
      { requiredApprovals: required, changeRequests: `/api/v1/environments/${environment}/change-requests` },
    );
  }
  throw new ApiError(
    422,
    'review_required',
    `"${environment}" needs ${required} approval${required === 1 ? '' : 's'} for flag changes: propose it with POST /api/v1/environments/${environment}/change-requests (the kill switch needs none)`,
    { requiredApprovals: required, changeRequests: `/api/v1/environments/${environment}/change-requests` },
  );
}

/**
 * A flag's served fields, archive and restore change every environment at once; no change request
 * carries them, so in an installation where any environment reviews writes they are refused. An
 * admin can lift that environment's review for the change (PUT …/review, audited both ways).
 */
async function checkFlagWrite(c: Context<AppEnv>, write: ReviewedWrite): Promise<void> {
  if (!servesEverywhere(write)) return;
  const env = await anyReviewed(c.env.DB);
  if (!env) return;
  throw new ApiError(
    422,
    'review_required',
    `this changes what flag "${write.resourceKey}" serves in every environment, and "${env.key}" needs ${env.n} approval${env.n === 1 ? '' : 's'} per change; such a change cannot be proposed as a change request: an admin can lift the review for it (PUT /api/v1/environments/${env.key}/review, audited). The kill switch needs none`,
    { requiredApprovals: env.n, environment: env.key },
  );
}
