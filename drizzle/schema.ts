/**
 * D1 tables: the source of truth. Snapshots in KV and the hub are derived from these rows.
 * JSON columns hold values already validated by the zod schemas in @edgeflags/core/schema;
 * `$type` states what they hold (types only: no SQL changes).
 */
import type { JsonValue, Prerequisite, Rule, SegmentDefinition, Serve, Target } from '@edgeflags/core';
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(unixepoch('subsec') * 1000)`;

type JsonObject = Record<string, JsonValue>;
/** What an audit entry can be about (the `resource_type` column). */
export const AUDIT_RESOURCE_TYPES = [
  'flag',
  'flag_config',
  'segment',
  'environment',
  'sdk_key',
  'admin_token',
  'release',
  'approval',
  'change_request',
  'webhook',
  'settings',
  'role_binding',
] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

export const environments = sqliteTable('environments', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  /** Production environments can be closed to editors and ask for confirmation in the app. */
  production: integer('production', { mode: 'boolean' }).notNull().default(false),
  sortOrder: integer('sort_order').notNull().default(0),
  /** Bumped by every write that changes the environment's snapshot. */
  snapshotVersion: integer('snapshot_version').notNull().default(0),
  /**
   * The highest snapshot version the hub and KV have both confirmed. Below `snapshotVersion`,
   * delivery is pending: the reconciler retries until they meet (docs/delivery.md).
   */
  deliveredVersion: integer('delivered_version').notNull().default(0),
  /** When delivery of `snapshotVersion` first failed or was left pending; null once delivered. */
  deliveryPendingSince: integer('delivery_pending_since'),
  /** The last delivery failure, for the app's "delivery pending" banner. */
  deliveryError: text('delivery_error'),
  /**
   * Approvals a flag-config write needs here (0: none, writes apply at once). Above 0 a write
   * becomes a change request that many people other than its author approve (docs/change-requests.md).
   */
  requiredApprovals: integer('required_approvals').notNull().default(0),
  createdAt: integer('created_at').notNull().default(now),
});

export const flags = sqliteTable('flags', {
  key: text('key').primaryKey(),
  kind: text('kind', { enum: ['boolean', 'string', 'number', 'json'] }).notNull(),
  variants: text('variants', { mode: 'json' }).$type<JsonObject>().notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  owner: text('owner').notNull().default(''),
  type: text('type', { enum: ['release', 'ops', 'experiment', 'permission', 'migration'] })
    .notNull()
    .default('release'),
  expiresAt: text('expires_at'),
  links: text('links', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
  clientVisible: integer('client_visible', { mode: 'boolean' }).notNull().default(false),
  /**
   * The state a flag is moved to in an emergency: `off` (the default, a kill switch) or `on`
   * (e.g. a maintenance switch). Moving into it is never refused for a stale version.
   */
  protectiveState: text('protective_state', { enum: ['off', 'on'] })
    .notNull()
    .default('off'),
  /** What an experiment is judged on (e.g. `checkout-completed`); the experiment policy requires it. */
  primaryMetric: text('primary_metric'),
  /** Optimistic concurrency for metadata edits (If-Match). */
  version: integer('version').notNull().default(1),
  archivedAt: integer('archived_at'),
  createdAt: integer('created_at').notNull().default(now),
  updatedAt: integer('updated_at').notNull().default(now),
});

/** One flag in one environment: on/off, targeting, rollout. Its own version guards concurrent edits. */
export const flagConfigs = sqliteTable(
  'flag_configs',
  {
    flagKey: text('flag_key')
      .notNull()
      .references(() => flags.key),
    environment: text('environment')
      .notNull()
      .references(() => environments.key),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    offVariant: text('off_variant').notNull(),
    prerequisites: text('prerequisites', { mode: 'json' }).$type<Prerequisite[]>().notNull().default(sql`'[]'`),
    targets: text('targets', { mode: 'json' }).$type<Target[]>().notNull().default(sql`'[]'`),
    rules: text('rules', { mode: 'json' }).$type<Rule[]>().notNull().default(sql`'[]'`),
    defaultServe: text('default_serve', { mode: 'json' }).$type<Serve>().notNull(),
    bucketBy: text('bucket_by'),
    salt: text('salt'),
    /**
     * A switch carried in the snapshot: at `at` (epoch ms) evaluators serve `config` instead,
     * even with the control plane down (docs/change-requests.md). Null: none scheduled.
     */
    scheduledSwitch: text('scheduled_switch', { mode: 'json' }).$type<{ at: number; config: JsonObject }>(),
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.flagKey, t.environment] })],
);

export const segments = sqliteTable(
  'segments',
  {
    environment: text('environment')
      .notNull()
      .references(() => environments.key),
    key: text('key').notNull(),
    name: text('name').notNull().default(''),
    description: text('description').notNull().default(''),
    definition: text('definition', { mode: 'json' }).$type<Omit<SegmentDefinition, 'key'>>().notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.environment, t.key] })],
);

/** SDK keys (`efs_` server, `efc_` client), one environment each. Only the SHA-256 is stored. */
export const sdkKeys = sqliteTable('sdk_keys', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['server', 'client'] }).notNull(),
  environment: text('environment')
    .notNull()
    .references(() => environments.key),
  name: text('name').notNull(),
  hash: text('hash').notNull().unique(),
  /** First characters, shown in lists so people can tell keys apart. */
  hint: text('hint').notNull(),
  createdAt: integer('created_at').notNull().default(now),
  revokedAt: integer('revoked_at'),
  /** Optional expiry (epoch ms); a rotated key expires at the end of its overlap window. */
  expiresAt: integer('expires_at'),
  /** The key that replaced this one by rotation. */
  replacedBy: text('replaced_by'),
  /**
   * Its rate-limit tier (docs/scale.md "Rate limits"): the Workers binding's limits are fixed in
   * wrangler.toml, so a key picks one of a few bindings rather than its own numbers.
   */
  rateTier: text('rate_tier', { enum: ['standard', 'high'] })
    .notNull()
    .default('standard'),
});

/** Admin tokens (`efa_`). Editors can be barred from production environments. */
export const adminTokens = sqliteTable('admin_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['viewer', 'editor', 'admin'] }).notNull(),
  productionAccess: integer('production_access', { mode: 'boolean' }).notNull().default(true),
  hash: text('hash').notNull().unique(),
  hint: text('hint').notNull(),
  createdAt: integer('created_at').notNull().default(now),
  revokedAt: integer('revoked_at'),
  /** Optional expiry (epoch ms); a rotated token expires at the end of its overlap window. */
  expiresAt: integer('expires_at'),
  /** The token that replaced this one by rotation. */
  replacedBy: text('replaced_by'),
  /** The person (email) the token acts for; null on tokens made before owners (shown "unowned"). */
  owner: text('owner'),
});

/**
 * Who may do what when signed in through Cloudflare Access (docs/identity.md): a person by
 * email, or everyone in an identity-provider group. Bindings only grant: a person gets the
 * highest role and production access of every binding that matches them.
 */
export const roleBindings = sqliteTable(
  'role_bindings',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['email', 'group'] }).notNull(),
    /** A lower-cased email, or a group's name or id as Access's identity endpoint reports it. */
    subject: text('subject').notNull(),
    role: text('role', { enum: ['viewer', 'editor', 'admin'] }).notNull(),
    productionAccess: integer('production_access', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('role_bindings_subject').on(t.kind, t.subject)],
);

/**
 * Answers to writes sent with an `Idempotency-Key`, per caller, so a retry after a timeout
 * gets the first answer instead of applying the change twice. Kept for 24 hours.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    actorId: text('actor_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** SHA-256 of the request body: the same key with a different body is refused. */
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.key] }), index('idempotency_created').on(t.createdAt)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull().default(now),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').$type<AuditResourceType>().notNull(),
    resourceKey: text('resource_key').notNull(),
    environment: text('environment'),
    before: text('before', { mode: 'json' }).$type<JsonObject>(),
    after: text('after', { mode: 'json' }).$type<JsonObject>(),
    reason: text('reason'),
    /**
     * Tamper-evidence chain (docs/audit.md): hex SHA-256 of the previous entry's hash and this
     * entry's canonical encoding, written by the AuditSealer after the insert. Null until sealed.
     */
    hash: text('hash'),
    prevHash: text('prev_hash'),
  },
  (t) => [
    index('audit_resource').on(t.resourceType, t.resourceKey, t.at),
    index('audit_actor').on(t.actor, t.at),
    index('audit_at').on(t.at),
  ],
);

/**
 * Exposures (which variant contexts received), counted per flag, variant and hour. SDKs send
 * them deduplicated and batched; the queue consumer aggregates a batch into one upsert per row.
 */
export const exposureCounts = sqliteTable(
  'exposure_counts',
  {
    environment: text('environment').notNull(),
    flagKey: text('flag_key').notNull(),
    variant: text('variant').notNull(),
    /** Start of the hour, epoch ms. */
    hour: integer('hour').notNull(),
    count: integer('count').notNull().default(0),
  },
  // By hour too: retention deletes old hours in bounded batches without scanning every row.
  (t) => [primaryKey({ columns: [t.environment, t.flagKey, t.variant, t.hour] }), index('exposure_counts_hour').on(t.hour)],
);

/**
 * A bounded sample of recent contexts per environment (newest kept), so an admin can see how
 * many real contexts a targeting change would flip before saving it.
 */
export const recentContexts = sqliteTable(
  'recent_contexts',
  {
    environment: text('environment').notNull(),
    contextKey: text('context_key').notNull(),
    context: text('context', { mode: 'json' }).$type<JsonObject>().notNull(),
    /** Server time (epoch ms) the Worker received it; the SDK's clock is never trusted here. */
    seenAt: integer('seen_at').notNull(),
    /** Who sent it (a server key, or a hashed IP for public client keys): each holds a bounded share. */
    source: text('source').notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.environment, t.contextKey] }),
    index('recent_contexts_seen').on(t.environment, t.seenAt),
    index('recent_contexts_source').on(t.environment, t.source, t.seenAt),
  ],
);

/**
 * Exposures each source (a server key, or a hashed IP for public client keys) had counted per
 * hour, so one caller cannot flood exposure_counts: past its quota, its exposures are dropped.
 */
export const exposureQuotas = sqliteTable(
  'exposure_quotas',
  {
    environment: text('environment').notNull(),
    source: text('source').notNull(),
    /** Start of the hour, epoch ms (server time). */
    hour: integer('hour').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.environment, t.source, t.hour] }), index('exposure_quotas_hour').on(t.hour)],
);

/** Where a release plan is: only `running` and `waiting_approval` are live (the conductor acts). */
export const RELEASE_STATUSES = ['draft', 'running', 'waiting_approval', 'paused', 'rolled_back', 'completed', 'aborted'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/**
 * A guarded release: ordered stages for one flag in one environment, run by the ReleaseConductor
 * Durable Object (docs/releases.md). `stages` and `settings` hold what the zod schemas validated.
 */
export const releasePlans = sqliteTable(
  'release_plans',
  {
    id: text('id').primaryKey(),
    environment: text('environment')
      .notNull()
      .references(() => environments.key),
    flagKey: text('flag_key')
      .notNull()
      .references(() => flags.key),
    status: text('status', { enum: RELEASE_STATUSES }).notNull().default('draft'),
    /** The variant being released, and the one control (users not yet in) is served. */
    treatmentVariant: text('treatment_variant').notNull(),
    baselineVariant: text('baseline_variant').notNull(),
    stages: text('stages', { mode: 'json' }).$type<JsonValue[]>().notNull(),
    /** Test settings: alpha, power, the ratio to catch, window length, browser metrics opt-in, caps. */
    settings: text('settings', { mode: 'json' }).$type<JsonObject>().notNull(),
    /** Index into `stages` of the stage being run (or last run). */
    currentStage: integer('current_stage').notNull().default(0),
    stageStartedAt: integer('stage_started_at'),
    startedAt: integer('started_at'),
    startedBy: text('started_by'),
    endedAt: integer('ended_at'),
    /** Why the plan stopped: the rule that rolled it back, who aborted it, or completion. */
    endReason: text('end_reason'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('release_plans_flag').on(t.environment, t.flagKey, t.status)],
);

/** Every decision about a release (the engine's and people's), with the evidence behind it. */
export const releaseDecisions = sqliteTable(
  'release_decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id')
      .notNull()
      .references(() => releasePlans.id),
    at: integer('at').notNull().default(now),
    stage: integer('stage').notNull(),
    /** start, advance, hold, wait_approval, approve, reject, rollback, pause, resume, abort, complete */
    action: text('action').notNull(),
    /** The rule that fired, e.g. `error_ratio`, `latency_p95_ratio`, `min_samples`, `min_duration`. */
    rule: text('rule'),
    evidence: text('evidence', { mode: 'json' }).$type<JsonObject>(),
    actor: text('actor').notNull(),
  },
  (t) => [index('release_decisions_plan').on(t.planId, t.at)],
);

/**
 * One approval model for every gate: a release stage's manual approval first; change requests
 * (governance) reuse it. `subject` names what waits, e.g. `release:<planId>:stage:<n>`.
 */
export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    subject: text('subject').notNull(),
    environment: text('environment').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected', 'cancelled'] })
      .notNull()
      .default('pending'),
    requestedBy: text('requested_by').notNull(),
    requestedAt: integer('requested_at').notNull().default(now),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    reason: text('reason'),
  },
  (t) => [index('approvals_subject').on(t.subject, t.status)],
);

/** Signed webhooks (HMAC-SHA256 with a per-hook secret; docs/webhooks.md). */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  /** The signing secret: kept, since every delivery is signed with it. Shown once at creation. */
  secret: text('secret').notNull(),
  /** Event types it receives (`flag.*`, `release.*`, or exact names). */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  format: text('format', { enum: ['json', 'slack'] })
    .notNull()
    .default('json'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});

/** Deliveries that failed every retry (the dead letters shown in the app), and the last error. */
export const webhookFailures = sqliteTable(
  'webhook_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: text('webhook_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: text('payload').notNull(),
    attempts: integer('attempts').notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    failedAt: integer('failed_at').notNull().default(now),
  },
  (t) => [index('webhook_failures_hook').on(t.webhookId, t.failedAt)],
);

/**
 * How far a reader of the audit log (used as an outbox) has got: `webhooks` is the dispatcher's
 * cursor. It only moves by a guarded UPDATE (`WHERE last_id = <the value read>`), so concurrent
 * dispatchers each claim a distinct range and every entry is claimed exactly once.
 */
export const outboxCursors = sqliteTable('outbox_cursors', {
  name: text('name').primaryKey(),
  /** The highest audit_log id claimed. */
  lastId: integer('last_id').notNull(),
  updatedAt: integer('updated_at').notNull().default(now),
});

/**
 * Where code reads each flag, as `edgeflags refs push` last uploaded it per repository (the
 * upload replaces a repository's rows at once). The app lists them on the flag's page, and the
 * lifecycle calls a flag with no rows "ready to remove from code".
 */
export const codeRefs = sqliteTable(
  'code_refs',
  {
    repository: text('repository').notNull(),
    flagKey: text('flag_key').notNull(),
    path: text('path').notNull(),
    line: integer('line').notNull(),
    commit: text('commit').notNull(),
    branch: text('branch'),
    pushedAt: integer('pushed_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.repository, t.flagKey, t.path, t.line] }), index('code_refs_flag').on(t.flagKey)],
);

/**
 * Instance-wide settings, one JSON document per name (e.g. `policies`: flag-type rules and the
 * naming pattern, docs/policies.md). Validated by the zod schema of its name before it is stored;
 * `version` guards concurrent edits like every other write.
 */
export const instanceSettings = sqliteTable('instance_settings', {
  name: text('name').primaryKey(),
  value: text('value', { mode: 'json' }).$type<JsonObject>().notNull(),
  version: integer('version').notNull().default(1),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull().default(now),
});

export const CHANGE_REQUEST_STATUSES = ['open', 'applied', 'rejected', 'cancelled', 'failed'] as const;
export type ChangeRequestStatus = (typeof CHANGE_REQUEST_STATUSES)[number];

/**
 * A flag-config write waiting for review (environments.required_approvals) or for its time
 * (`apply_at`). Approvals live in `approvals` under the subject `change:<id>:<revision>`: an edit
 * bumps `revision`, so earlier approvals no longer count. Applying re-checks `base_version`.
 */
export const changeRequests = sqliteTable(
  'change_requests',
  {
    id: text('id').primaryKey(),
    environment: text('environment')
      .notNull()
      .references(() => environments.key),
    flagKey: text('flag_key')
      .notNull()
      .references(() => flags.key),
    /** The audit action it applies as, e.g. `config.update`, `flag.rollout`, `flag.promote`. */
    action: text('action').notNull(),
    /** The flag's configuration after the change (the fields of flag_configs a write sets). */
    proposal: text('proposal', { mode: 'json' }).$type<JsonObject>().notNull(),
    /** The config version the proposal was written against; applying refuses if it moved. */
    baseVersion: integer('base_version').notNull(),
    status: text('status', { enum: CHANGE_REQUEST_STATUSES }).notNull().default('open'),
    requiredApprovals: integer('required_approvals').notNull(),
    revision: integer('revision').notNull().default(1),
    /** Apply at this instant (epoch ms) once approved; null: applied by a person. */
    applyAt: integer('apply_at'),
    /** Carry the change in the snapshot as a scheduled switch (applies at `apply_at` without the control plane). */
    inSnapshot: integer('in_snapshot', { mode: 'boolean' }).notNull().default(false),
    authorId: text('author_id').notNull(),
    author: text('author').notNull(),
    reason: text('reason'),
    /** Why a scheduled apply failed (e.g. the flag moved since), or who decided the end. */
    outcome: text('outcome'),
    appliedVersion: integer('applied_version'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('change_requests_env').on(t.environment, t.status, t.createdAt), index('change_requests_due').on(t.status, t.applyAt)],
);

/**
 * Evaluations the edge answered, per flag, environment and UTC day (bulk /sdk/v1/evaluate and
 * OFREP). Counted in isolate memory and flushed off the response path (workers/src/lifecycle/
 * evaluation-counter.ts), so these are lower bounds: an isolate that dies unflushed loses its
 * last few seconds. Evidence for the lifecycle's "not evaluated for 30 days" (docs/lifecycle.md).
 */
export const flagEvaluations = sqliteTable(
  'flag_evaluations',
  {
    environment: text('environment').notNull(),
    flagKey: text('flag_key').notNull(),
    /** Start of the UTC day, epoch ms. */
    day: integer('day').notNull(),
    count: integer('count').notNull().default(0),
    /** Server time (epoch ms) of the newest evaluation counted in this row. */
    lastAt: integer('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.environment, t.flagKey, t.day] }), index('flag_evaluations_day').on(t.day)],
);

/**
 * Where each flag is in its rollout per environment (`new`, `rolling_out`, `rolled_out`) and
 * since when: recorded after every publish and by the cron, because a config's `updated_at`
 * moves on edits that keep the phase. Stale, expired, ready-to-remove and unknown are derived
 * on read from this, evaluation counts, code references and the type's lifetime.
 */
export const flagLifecycle = sqliteTable(
  'flag_lifecycle',
  {
    environment: text('environment').notNull(),
    flagKey: text('flag_key').notNull(),
    phase: text('phase', { enum: ['new', 'rolling_out', 'rolled_out'] }).notNull(),
    /** When the flag entered `phase` (epoch ms): the config write that moved it there. */
    since: integer('since').notNull(),
    /** The variant everyone gets while rolled out (the value `edgeflags cleanup` keeps). */
    variant: text('variant'),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.environment, t.flagKey] })],
);
