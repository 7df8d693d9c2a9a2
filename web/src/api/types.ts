// Wire types of the admin API. Request bodies come from the Worker's zod schemas and rows from
// the drizzle tables (whose JSON columns are typed with `$type`), both as `import type`, so
// neither zod nor drizzle reaches the browser. The Worker checks its answers against response
// schemas built from the same tables (workers/src/admin/responses.ts).
import type { Condition, EvaluationResult, JsonValue, Operator, Prerequisite, Reason, Rule, Serve, Target } from '@edgeflags/core';
import type { z } from 'zod';
import type { adminTokens, auditLog, environments, flagConfigs, flags, sdkKeys, segments } from '../../../drizzle/schema.ts';
import type * as S from '../../../workers/src/admin/schemas.ts';
import type * as LS from '../../../workers/src/lifecycle/lifecycle-schemas.ts';
import type * as P from '../../../workers/src/releases/plan-schema.ts';
import type * as RS from '../../../workers/src/releases/release-schemas.ts';
import type { StageEvidence, VariantEvidence } from '../../../workers/src/releases/stats/types.ts';

export type { Condition, EvaluationResult, JsonValue, Operator, Prerequisite, Reason, Rule, Serve, Target };

export type FlagCreateBody = z.input<typeof S.FlagCreate>;
export type FlagPatchBody = z.input<typeof S.FlagPatch>;
export type ConfigBody = z.input<typeof S.ConfigPut>;
export type ToggleBody = z.input<typeof S.Toggle>;
export type RolloutBody = z.input<typeof S.Rollout>;
export type SegmentBody = z.input<typeof S.SegmentPut>;
export type EnvironmentBody = z.input<typeof S.EnvironmentCreate>;
export type SdkKeyBody = z.input<typeof S.SdkKeyCreate>;
export type AdminTokenBody = z.input<typeof S.AdminTokenCreate>;
export type AuditFilter = Partial<z.input<typeof S.AuditQuery>>;
export type FlagType = (typeof S.FLAG_TYPES)[number];
export type Role = AdminTokenBody['role'];
/** The server's lifecycle of a flag in one environment, and the stale report (docs/lifecycle.md). */
export type Lifecycle = z.output<typeof LS.FlagLifecycle>;
export type LifecycleState = Lifecycle['state'];
export type StaleReport = z.output<typeof LS.StaleReportBody>;

export type Environment = typeof environments.$inferSelect;
export type FlagRow = typeof flags.$inferSelect;
export type ConfigRow = typeof flagConfigs.$inferSelect;

/** One environment's state in the flags list (GET /flags). */
export interface EnvSummary {
  enabled: boolean;
  version: number;
  offVariant: string;
  defaultServe: Serve;
  rules: number;
  targets: number;
  prerequisites: number;
  updatedAt: number;
  /** The server's lifecycle state here and since when (docs/lifecycle.md); an older Worker leaves it out. */
  lifecycle?: Lifecycle;
}
export type FlagSummary = FlagRow & { environments: Record<string, EnvSummary> };
export type FlagDetail = FlagRow & { environments: Record<string, ConfigRow & { lifecycle?: Lifecycle }> };

export type SegmentRow = typeof segments.$inferSelect;
export type SegmentDefinition = SegmentRow['definition'];
export type SdkKeyRow = Omit<typeof sdkKeys.$inferSelect, 'hash'>;
export type AdminTokenRow = Omit<typeof adminTokens.$inferSelect, 'hash'>;
export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Every write answers whether the change reached the edge: `pending` means it is committed and
 * the Worker keeps retrying delivery (KV or the hub failed). Older Workers leave it out.
 */
export interface Delivery {
  delivery?: 'delivered' | 'pending';
}

/** What a write of a flag's configuration answers (workers/src/admin/write-config.ts). */
export interface WriteResult extends Delivery {
  flag: string;
  environment: string;
  config: { version: number; enabled: boolean };
  snapshotVersion: number;
  /** Streams the hub pushed the change to. */
  delivered: number;
}

/** PATCH /flags/:key and POST /flags/:key/restore: the stored flag row. */
export type FlagWriteResult = FlagRow & Delivery;
export type ArchiveResult = { key: string; archived: true } & Delivery;

/** GET /environments/:env/hub (mirrors HubStats in workers/src/hub/environment-hub.ts). */
export interface HubStats {
  version: number;
  connections: { server: number; client: number; ofrep: number; admin: number };
  recent: { version: number; publishedAt: number; sent: number; acked: number; lastAckMs: number | null }[];
}

export interface EvaluateResponse {
  version: number;
  results: Record<string, EvaluationResult>;
}

/** POST /flags/:key/environments/:env/impact (workers/src/admin/insight-routes.ts). */
export interface ImpactResponse {
  sampled: number;
  changed: number;
  examples: {
    contextKey?: string;
    context: Record<string, unknown>;
    before: Pick<EvaluationResult, 'value' | 'variant' | 'reason'>;
    after: Pick<EvaluationResult, 'value' | 'variant' | 'reason'>;
  }[];
}

/** Who the token belongs to (`GET /me`). */
export interface Me {
  name: string;
  role: Role;
  productionAccess: boolean;
  /** The person acting (signed in through Cloudflare Access, or the token's owner); null for an unowned token. */
  person?: { email: string; name: string } | null;
}

/** GET /environments/:env/exposures: counts per flag and variant; variant "" is the SDK's fallback. */
export interface ExposuresResponse {
  environment: string;
  since: number;
  flags: Record<string, Record<string, number>>;
}

/** One context an SDK sent with its exposures (GET /environments/:env/contexts). */
export interface RecentContext {
  contextKey: string;
  context: Record<string, unknown>;
  seenAt: number;
}

export type Stage = P.Stage;
export type StageChecks = P.StageChecks;
export type ReleaseSettings = P.ReleaseSettings;
export type TemplateName = P.TemplateName;
export type ReleaseTemplate = z.output<typeof RS.TemplateList>['templates'][string];
export type { StageEvidence, VariantEvidence };

/** A release plan (docs/releases.md) as the API answers it. */
export type ReleasePlan = z.output<typeof RS.ReleasePlan>;
export type ReleaseStatus = ReleasePlan['status'];
/** GET /releases: a live plan with its last decision and the earliest its stage may advance. */
export type LiveRelease = z.output<typeof RS.LiveRelease>;
export type ReleaseDecision = z.output<typeof RS.ReleaseDecision>;
export type ReleaseCreateBody = z.input<typeof RS.ReleaseCreate>;
export type ReleaseActionBody = z.input<typeof RS.ReleaseAction>;
export type ReleaseAction = 'start' | 'pause' | 'resume' | 'abort' | 'approve' | 'reject' | 'rollback';
/** What a plan action answers: the plan now, and the config write it made (start, resume, rollback). */
export type ReleaseWritten = z.output<typeof RS.ReleaseWritten>;

type Detail = z.output<typeof RS.ReleaseDetail>;
export type VariantHealth = Detail['health']['windows'][number]['treatment'];
/** The thresholds drawn are the current stage's checks (the schema leaves them an open record). */
export type ReleaseHealth = Omit<Detail['health'], 'thresholds'> & { thresholds: StageChecks };
/** GET /flags/:key/environments/:env/releases/:id: the plan, its timeline, the open approval, per-window health. */
export type ReleaseDetail = Omit<Detail, 'health'> & { health: ReleaseHealth };
