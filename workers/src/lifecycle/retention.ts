import { sealer } from '../audit/seal.ts';
import type { Env } from '../env.ts';
import { DAY_MS, UNEVALUATED_STALE_DAYS } from './lifecycle-policy.ts';

/** Default days kept (docs/lifecycle.md); each is overridden by its RETENTION_*_DAYS var. */
export const RETENTION_DEFAULT_DAYS = { contexts: 30, exposures: 90, evaluations: 90 } as const;
/** Rows one statement deletes, and statements per table per run: a big backlog drains over runs. */
export const RETENTION_BATCH_ROWS = 1_000;
const MAX_BATCHES = 10;
/** Exposure quotas only count the current hour; two days covers any clock skew. */
const QUOTA_KEEP_MS = 2 * DAY_MS;

type RetentionVars = Pick<
  Env,
  'RETENTION_CONTEXTS_DAYS' | 'RETENTION_EXPOSURES_DAYS' | 'RETENTION_EVALUATIONS_DAYS' | 'RETENTION_AUDIT_DAYS'
>;

const days = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);

/**
 * What is kept, in days. Evaluation counts are kept at least 31 days, or "not evaluated for 30
 * days" could not be told from "no data". The audit log is kept forever unless RETENTION_AUDIT_DAYS
 * is set: it is hash-chained (docs/audit.md), so a pruned log verifies from its oldest kept entry.
 */
export function retentionDays(env: RetentionVars) {
  const audit = env.RETENTION_AUDIT_DAYS;
  return {
    contexts: Math.max(1, days(env.RETENTION_CONTEXTS_DAYS, RETENTION_DEFAULT_DAYS.contexts)),
    exposures: Math.max(1, days(env.RETENTION_EXPOSURES_DAYS, RETENTION_DEFAULT_DAYS.exposures)),
    evaluations: Math.max(UNEVALUATED_STALE_DAYS + 1, days(env.RETENTION_EVALUATIONS_DAYS, RETENTION_DEFAULT_DAYS.evaluations)),
    audit: audit !== undefined && /^\d+$/.test(audit) && Number(audit) > 0 ? Number(audit) : null,
  };
}

/** The tables pruned, each by its time column (epoch ms). Names are constants, never input. */
const TABLES = {
  contexts: { table: 'recent_contexts', column: 'seen_at' },
  exposures: { table: 'exposure_counts', column: 'hour' },
  evaluations: { table: 'flag_evaluations', column: 'day' },
  quotas: { table: 'exposure_quotas', column: 'hour' },
} as const;

export type RetentionResult = Partial<Record<keyof typeof TABLES | 'audit', number>>;

/** Deletes rows older than their retention, in batches of RETENTION_BATCH_ROWS (run by the cron). */
export async function enforceRetention(env: Pick<Env, 'DB' | 'AUDIT_SEALER'> & RetentionVars, now = Date.now()): Promise<RetentionResult> {
  const keep = retentionDays(env);
  const cutoffs: [keyof typeof TABLES, number][] = [
    ['contexts', now - keep.contexts * DAY_MS],
    ['exposures', now - keep.exposures * DAY_MS],
    ['evaluations', now - keep.evaluations * DAY_MS],
    ['quotas', now - QUOTA_KEEP_MS],
  ];
  const out: RetentionResult = {};
  // Through the sealer, which prunes only sealed entries and records where the chain now starts (docs/audit.md).
  if (keep.audit !== null) out.audit = await sealer(env).prune(now - keep.audit * DAY_MS);
  for (const [name, cutoff] of cutoffs) {
    const { table, column } = TABLES[name];
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const r = await env.DB.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ?)`)
        .bind(cutoff, RETENTION_BATCH_ROWS)
        .run();
      deleted += r.meta.changes;
      if (r.meta.changes < RETENTION_BATCH_ROWS) break;
    }
    out[name] = deleted;
  }
  return out;
}
