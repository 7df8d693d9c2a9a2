import { AttributeName, Key, PrerequisiteSchema, RuleSchema, ServeSchema, TargetSchema } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';
import { CHANGE_REQUEST_STATUSES } from '../../../drizzle/schema.ts';
import { ConfigWriteResult } from '../admin/responses.ts';

// Request and answer shapes of the change-request and promotion API (docs/change-requests.md).

const Reason = z.string().max(500).optional().openapi({ description: 'Why, for the audit log and the reviewers' });
const Version = z.number().int().optional().openapi({ description: "The change request's version (or If-Match)" });
const Instant = z.number().int().positive().openapi({ description: 'Epoch milliseconds' });

/** A flag's configuration in one environment: what a config PUT sets. */
export const ProposedConfig = z
  .strictObject({
    enabled: z.boolean(),
    offVariant: z.string(),
    prerequisites: z.array(PrerequisiteSchema).max(20).default([]),
    targets: z.array(TargetSchema).max(100).default([]),
    rules: z.array(RuleSchema).max(200).default([]),
    defaultServe: ServeSchema,
    bucketBy: AttributeName.nullable().default(null),
  })
  .openapi('ProposedConfig');

export const ChangeCreate = z
  .strictObject({
    flag: Key,
    config: ProposedConfig,
    version: z.number().int().openapi({ description: "The flag configuration's version the proposal was written against" }),
    reason: Reason,
    applyAt: Instant.optional().openapi({ description: 'Apply at this instant once approved (a scheduled change)' }),
    inSnapshot: z.boolean().optional().openapi({
      description: 'Carry the change in the snapshot: every evaluator switches at `applyAt`, even with the control plane down',
    }),
  })
  .openapi('ChangeRequestCreate');

export const ChangeEdit = z
  .strictObject({
    config: ProposedConfig.optional(),
    baseVersion: z.number().int().optional().openapi({ description: 'Rebase onto this flag configuration version' }),
    applyAt: Instant.nullable().optional(),
    version: Version,
    reason: Reason,
  })
  .openapi('ChangeRequestEdit');

export const ChangeAction = z.strictObject({ version: Version, reason: Reason }).openapi('ChangeRequestAction');

export const ChangeParams = z.object({ env: Key, id: z.string().max(64) });
export const EnvOnly = z.object({ env: Key });
export const ChangeListQuery = z.object({ status: z.enum(CHANGE_REQUEST_STATUSES).optional() });

const Approval = z.object({
  by: z.string(),
  at: z.number(),
  status: z.enum(['approved', 'rejected']),
  reason: z.string().nullable(),
});

export const ChangeRequestBody = z
  .object({
    id: z.string(),
    environment: z.string(),
    flagKey: z.string(),
    action: z.string(),
    proposal: z.record(z.string(), z.unknown()),
    baseVersion: z.number(),
    status: z.enum(CHANGE_REQUEST_STATUSES),
    requiredApprovals: z.number(),
    revision: z.number(),
    applyAt: z.number().nullable(),
    inSnapshot: z.boolean(),
    authorId: z.string(),
    author: z.string(),
    reason: z.string().nullable(),
    outcome: z.string().nullable(),
    appliedVersion: z.number().nullable(),
    version: z.number(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .openapi('ChangeRequest');

export const ChangeList = z.object({ changeRequests: z.array(ChangeRequestBody) }).openapi('ChangeRequestList');

const Diff = z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }));

export const ChangeDetail = z
  .object({
    changeRequest: ChangeRequestBody,
    approvals: z.array(Approval),
    approvalsCounted: z.number().openapi({ description: 'Distinct approvers other than the author, on the current revision' }),
    current: z.record(z.string(), z.unknown()).openapi({ description: "The flag's configuration now" }),
    diff: Diff.openapi({ description: 'Fields the request changes, from the configuration now' }),
    stale: z.boolean().openapi({ description: 'The flag moved since the request was written: applying would answer 409' }),
  })
  .openapi('ChangeRequestDetail');

export const ChangeApplied = z.object({ changeRequest: ChangeRequestBody, write: ConfigWriteResult }).openapi('ChangeRequestApplied');

export const ReviewSettings = z
  .strictObject({
    requiredApprovals: z.number().int().min(0).max(5).openapi({ description: 'Approvals a flag change needs here (0: none)' }),
    reason: Reason,
  })
  .openapi('ReviewSettings');

export const ReviewSettingsBody = z.object({ environment: z.string(), requiredApprovals: z.number() }).openapi('ReviewSettingsAnswer');

export const PromoteBody = z
  .strictObject({
    from: Key.openapi({ description: 'The environment whose configuration moves (e.g. staging)' }),
    apply: z.boolean().optional().openapi({ description: 'Apply (or propose, where review is required); without it, a preview' }),
    version: z.number().int().optional().openapi({ description: "The target configuration's version (needed to apply)" }),
    reason: Reason,
  })
  .openapi('Promote');

export const PromoteResult = z
  .object({
    flag: z.string(),
    from: z.string(),
    to: z.string(),
    fromVersion: z.number(),
    toVersion: z.number(),
    diff: Diff,
    outcome: z.enum(['preview', 'applied', 'proposed', 'unchanged']),
    write: ConfigWriteResult.optional(),
    changeRequest: ChangeRequestBody.optional(),
  })
  .openapi('PromoteResult');
