import { z } from '@hono/zod-openapi';
import { LIFECYCLE_STATES } from './lifecycle-state.ts';

const EpochMs = z.int().nullable();

/** The server's one definition of where a flag is in its life, in one environment (docs/lifecycle.md). */
export const FlagLifecycle = z
  .object({
    state: z.enum(LIFECYCLE_STATES).openapi({
      description:
        'new (never switched on), rolling_out (the answer depends on the context), rolled_out (one answer for everyone), stale (rolled out longer than its type allows, or not evaluated for 30 days), expired (past expiresAt), ready_to_remove (rolled out and no pushed code reference reads it), unknown (would be stale but there is no evaluation data), archived',
    }),
    since: EpochMs.openapi({ description: 'When the flag entered this state (epoch ms)' }),
    reason: z.string(),
    phase: z.enum(['new', 'rolling_out', 'rolled_out']).nullable(),
    phaseSince: EpochMs.openapi({
      description: 'When the flag entered its rollout phase (epoch ms): e.g. how long it has been rolled out',
    }),
    variant: z.string().nullable().openapi({ description: 'The variant everyone gets while rolled out' }),
    atFull: z.boolean().openapi({ description: 'Enabled and serving one non-off variant to everyone ("at 100%")' }),
    lastEvaluatedAt: EpochMs.openapi({ description: 'Newest evaluation counted at the edge or reported by an SDK' }),
    references: z.int().nullable().openapi({ description: 'Code references pushed by `edgeflags refs push`; null until any were pushed' }),
  })
  .openapi('FlagLifecycle');

const ReportEntry = z
  .object({
    key: z.string(),
    name: z.string(),
    owner: z.string(),
    type: z.enum(['release', 'ops', 'experiment', 'permission', 'migration']),
    environment: z.string(),
    state: z.enum(LIFECYCLE_STATES),
    since: EpochMs,
    reason: z.string(),
    variant: z.string().nullable().openapi({ description: 'The value cleanup keeps: the variant everyone gets' }),
    rolledOutSince: EpochMs,
    lastEvaluatedAt: EpochMs,
    references: z.int().nullable(),
    command: z.string().openapi({ description: 'Removes the flag’s checks from the code, e.g. `npx edgeflags cleanup new-checkout`' }),
  })
  .openapi('StaleReportEntry');

export const StaleReportBody = z
  .object({
    generatedAt: z.int(),
    environments: z.array(z.string()).openapi({ description: 'The environments judged (default: the production ones)' }),
    summary: z.object({
      atFullOver30Days: z.int().openapi({ description: 'Flags at 100% (one non-off variant for everyone) for more than 30 days' }),
      toRemove: z.int().openapi({ description: 'Distinct flags in the removal list' }),
      byState: z.record(z.enum(LIFECYCLE_STATES), z.int()),
    }),
    flags: z.array(ReportEntry).openapi({ description: 'Flags to remove (stale, ready_to_remove, expired), oldest first' }),
    unknown: z.array(ReportEntry).openapi({ description: 'Rolled out past their lifetime with no evaluation data: check before removing' }),
  })
  .openapi('StaleReport');

export const StaleReportQuery = z.object({
  environment: z.string().min(1).max(100).optional().openapi({ description: 'One environment (default: the production ones)' }),
});
