// Wire types of the admin API under the names the pages use. Answers are the routes' own
// (`Ok<path, method>` from AppType, app-types.ts); request bodies come from the Worker's zod
// schemas, all as `import type`, so neither hono, zod nor drizzle reaches the browser.
import type { Condition, EvaluationResult, JsonValue, Operator, Prerequisite, Reason, Rule, Serve, Target } from '@edgeflags/core';
import type { z } from 'zod';
import type * as S from '../../../workers/src/admin/schemas.ts';
import type * as LS from '../../../workers/src/lifecycle/lifecycle-schemas.ts';
import type * as P from '../../../workers/src/releases/plan-schema.ts';
import type * as RS from '../../../workers/src/releases/release-schemas.ts';
import type { StageEvidence, VariantEvidence } from '../../../workers/src/releases/stats/types.ts';
import type { Ok } from './app-types.ts';

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

// Answers, as the routes declare them (app-types.ts).
export type Environment = Ok<'/environments', 'get'>['environments'][number];
type Listed = Ok<'/flags', 'get'>['flags'][number];
type Detailed = Ok<'/flags/:key', 'get'>;
// The app reads a Worker without lifecycles too (an older deployment): there `lifecycle` is absent.
type MayLackLifecycle<T extends { lifecycle: unknown }> = Omit<T, 'lifecycle'> & Partial<Pick<T, 'lifecycle'>>;
/** One environment's state in the flags list, with the server's lifecycle there (docs/lifecycle.md). */
export type EnvSummary = MayLackLifecycle<Listed['environments'][string]>;
/** A live flag with one summary per environment (GET /flags). */
export type FlagSummary = Omit<Listed, 'environments'> & { environments: Record<string, EnvSummary> };
export type ConfigRow = MayLackLifecycle<Detailed['environments'][string]>;
export type FlagDetail = Omit<Detailed, 'environments'> & { environments: Record<string, ConfigRow> };
export type FlagRow = Omit<FlagDetail, 'environments'>;
export type SegmentRow = Ok<'/environments/:env/segments', 'get'>['segments'][number];
export type SegmentDefinition = SegmentRow['definition'];
export type SdkKeyRow = Ok<'/sdk-keys', 'get'>['keys'][number];
/** Which fixed rate-limit binding counts a key (docs/scale.md "Rate limits"). */
export type RateTier = SdkKeyRow['rateTier'];
export type AdminTokenRow = Ok<'/admin-tokens', 'get'>['tokens'][number];
export type AuditRow = Ok<'/audit', 'get'>['entries'][number];

/** What a write of a flag's configuration answers (workers/src/admin/write-config.ts). */
export type WriteResult = Ok<'/flags/:key/environments/:env/toggle', 'post'>;
/**
 * Every write answers whether the change reached the edge: `pending` means it is committed and
 * the Worker keeps retrying delivery (KV or the hub failed).
 */
export type Delivery = Partial<Pick<WriteResult, 'delivery'>>;
/** PATCH /flags/:key and POST /flags/:key/restore: the stored flag row. */
export type FlagWriteResult = Ok<'/flags/:key', 'patch'>;
export type ArchiveResult = Ok<'/flags/:key', 'delete'>;
/** Connected streams per kind, and how far recent changes reached (acks and how fast). */
export type HubStats = Ok<'/environments/:env/hub', 'get'>;
export type EvaluateResponse = Ok<'/environments/:env/evaluate', 'post'>;
export type ImpactResponse = Ok<'/flags/:key/environments/:env/impact', 'post'>;
/** Who the token belongs to (`GET /me`). */
export type Me = Ok<'/me', 'get'>;
/** Counts per flag and variant; variant "" is the SDK's fallback. */
export type ExposuresResponse = Ok<'/environments/:env/exposures', 'get'>;
/** One context an SDK sent with its exposures. */
export type RecentContext = Ok<'/environments/:env/contexts', 'get'>['contexts'][number];

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
