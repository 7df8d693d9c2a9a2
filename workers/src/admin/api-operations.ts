/**
 * The admin API's operations by `method path` (as in the OpenAPI document): a stable
 * operationId (client generators name methods after it), a one-line summary, whether the write is
 * version-guarded (428 without If-Match or `version`), and a request example for the main writes.
 * openapi-helpers.ts `documentOperations` applies it; api-contract.test fails on a route missing here.
 */
export interface Operation {
  id: string;
  summary: string;
  /** `version`: needs If-Match or `version` (428); `unless-protective`: the toggle, except into the protective state. */
  guarded?: 'version' | 'unless-protective' | 'version-or-create';
  example?: Record<string, unknown>;
  /** What the 200 answer's ETag carries (the validator to send back in If-Match). */
  etag?: string;
  /** A stream through the hub: also 429 `stream_limit` when a stream cap is reached. */
  stream?: true;
}

const release = (id: string, summary: string): Operation => ({ id, summary, guarded: 'version', example: { version: 2 } });
const rel = '/flags/{key}/environments/{env}/releases';
const change = (id: string, summary: string): Operation => ({ id, summary, guarded: 'version', example: { version: 2 } });
const changes = '/environments/{env}/change-requests';

export const OPERATIONS: Record<string, Operation> = {
  'get /me': { id: 'getMe', summary: 'Who is calling: the person and the token used, role and production access' },
  'get /flags': { id: 'listFlags', summary: 'List live flags with their state in every environment' },
  'post /flags': {
    id: 'createFlag',
    summary: 'Create a flag (off in every environment)',
    example: { key: 'new-checkout', kind: 'boolean', name: 'New checkout', type: 'release', owner: 'payments', reason: 'JIRA-123' },
  },
  'get /flags/{key}': {
    id: 'getFlag',
    summary: 'A flag and its configuration per environment',
    etag: 'The flag’s version, e.g. "4": send it in If-Match to edit, archive or restore the flag',
  },
  'patch /flags/{key}': {
    id: 'updateFlag',
    summary: 'Edit a flag’s metadata, variants, client visibility or protective state',
    guarded: 'version',
    example: { owner: 'payments', tags: ['checkout'], version: 3 },
  },
  'delete /flags/{key}': { id: 'archiveFlag', summary: 'Archive a flag (history kept)', guarded: 'version' },
  'post /flags/{key}/revert': {
    id: 'revertFlag',
    summary: 'Return a flag’s metadata (name, description, owner, tags, links, type, expiry) to an earlier version from its audit history',
    guarded: 'version',
    example: { toAuditId: 40, version: 5, reason: 'owner was right before' },
  },
  'post /flags/{key}/restore': { id: 'restoreFlag', summary: 'Restore an archived flag', guarded: 'version', example: { version: 4 } },
  'get /flags/{key}/environments/{env}': {
    id: 'getFlagConfig',
    summary: 'A flag’s configuration in one environment',
    etag: 'The configuration’s version, e.g. "3": send it in If-Match to change targeting, rollout or (out of the protective state) the toggle',
  },
  'put /flags/{key}/environments/{env}': {
    id: 'putFlagConfig',
    summary: 'Replace a flag’s targeting in one environment',
    guarded: 'version',
    example: {
      enabled: true,
      offVariant: 'off',
      rules: [{ id: 'pro-users', conditions: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
      version: 3,
      reason: 'open to pro users',
    },
  },
  'post /flags/{key}/environments/{env}/toggle': {
    id: 'toggleFlag',
    summary: 'Switch a flag on or off in one environment (the kill switch needs no version)',
    guarded: 'unless-protective',
    example: { enabled: false, reason: 'incident 42' },
  },
  'put /flags/{key}/environments/{env}/rollout': {
    id: 'setRollout',
    summary: 'Serve a variant to a percentage by default',
    guarded: 'version',
    example: { percentage: 25, variant: 'on', version: 3 },
  },
  'post /flags/{key}/environments/{env}/revert': {
    id: 'revertFlagConfig',
    summary: 'Return a flag’s configuration in one environment to an earlier version from its audit history',
    guarded: 'version',
    example: { toAuditId: 42, version: 7, reason: 'back to before the new rules' },
  },
  'post /flags/{key}/environments/{env}/impact': { id: 'previewImpact', summary: 'Preview who a configuration change would affect' },
  'get /environments': { id: 'listEnvironments', summary: 'List environments' },
  'post /environments': {
    id: 'createEnvironment',
    summary: 'Create an environment (every flag off)',
    example: { key: 'staging', name: 'Staging', production: false },
  },
  'get /environments/{env}/hub': { id: 'getHubStats', summary: 'Connected streams and how far recent changes reached' },
  'post /environments/{env}/evaluate': { id: 'evaluateContext', summary: 'Evaluate flags for one context, with reasons' },
  'get /environments/{env}/changes': {
    id: 'streamChanges',
    summary: 'Change stream of an environment (server-sent events; messages in /api/v1/streams.json)',
    stream: true,
  },
  'get /environments/{env}/exposures': { id: 'getExposures', summary: 'Exposures per flag and variant' },
  'get /environments/{env}/contexts': { id: 'listRecentContexts', summary: 'Recently seen contexts' },
  'get /environments/{env}/problems': { id: 'listProblems', summary: 'Problems of an environment (unresolved references, stale flags)' },
  'get /environments/{env}/segments': { id: 'listSegments', summary: 'List segments of an environment' },
  'put /environments/{env}/segments/{segment}': {
    id: 'putSegment',
    summary: 'Create (If-None-Match: *) or update (If-Match) a segment',
    guarded: 'version-or-create',
    example: { name: 'Beta testers', attribute: 'userId', included: ['u-1', 'u-2'], version: 1 },
  },
  'delete /environments/{env}/segments/{segment}': { id: 'deleteSegment', summary: 'Delete an unused segment', guarded: 'version' },
  'get /sdk-keys': { id: 'listSdkKeys', summary: 'List SDK keys (never the secret)' },
  'post /sdk-keys': {
    id: 'createSdkKey',
    summary: 'Create an SDK key (secret shown once)',
    example: { kind: 'server', environment: 'production', name: 'api-server' },
  },
  'patch /sdk-keys/{id}': {
    id: 'updateSdkKey',
    summary: "Change an SDK key's rate-limit tier",
    example: { rateTier: 'high' },
  },
  'delete /sdk-keys/{id}': { id: 'revokeSdkKey', summary: 'Revoke an SDK key; its streams end at once' },
  'post /sdk-keys/{id}/rotate': { id: 'rotateSdkKey', summary: 'Rotate an SDK key with an overlap' },
  'get /admin-tokens': { id: 'listAdminTokens', summary: 'List admin tokens (never the secret)' },
  'post /admin-tokens': {
    id: 'createAdminToken',
    summary: 'Create an admin token (secret shown once)',
    example: { name: 'ci', role: 'editor', productionAccess: false },
  },
  'delete /admin-tokens/{id}': { id: 'revokeAdminToken', summary: 'Revoke an admin token' },
  'post /admin-tokens/{id}/rotate': { id: 'rotateAdminToken', summary: 'Rotate an admin token with an overlap' },
  'get /role-bindings': { id: 'listRoleBindings', summary: 'Roles of people signed in through Cloudflare Access, by email or group' },
  'post /role-bindings': {
    id: 'createRoleBinding',
    summary: 'Give a person (email) or an identity-provider group a role',
    example: { kind: 'group', subject: 'release-managers', role: 'editor', productionAccess: true },
  },
  'delete /role-bindings/{id}': { id: 'deleteRoleBinding', summary: 'Remove a role binding' },
  'get /audit': { id: 'listAudit', summary: 'Audit log entries with before and after' },
  'get /audit/chain': { id: 'listAuditChain', summary: 'Audit entries oldest first, as stored and hashed (the tamper-evident chain)' },
  'get /audit/anchor': { id: 'getAuditAnchor', summary: 'The audit chain head anchored outside D1' },
  'get /audit/verify': { id: 'verifyAudit', summary: 'Recompute the audit chain and report edited, deleted or truncated entries' },
  'get /release-templates': { id: 'listReleaseTemplates', summary: 'Release plan templates' },
  'get /releases': { id: 'listReleases', summary: 'Releases across flags and environments' },
  [`post ${rel}`]: { id: 'createRelease', summary: 'Create a guarded release plan (draft, or started)' },
  [`get ${rel}`]: { id: 'listFlagReleases', summary: 'Releases of a flag in one environment' },
  [`get ${rel}/{id}`]: { id: 'getRelease', summary: 'A release plan and its decisions' },
  [`post ${rel}/{id}/rollback`]: { id: 'rollbackRelease', summary: 'Roll a release back (never blocked, no version)' },
  [`post ${rel}/{id}/start`]: release('startRelease', 'Start a draft release'),
  [`post ${rel}/{id}/pause`]: release('pauseRelease', 'Pause a release'),
  [`post ${rel}/{id}/resume`]: release('resumeRelease', 'Resume a paused release'),
  [`post ${rel}/{id}/abort`]: release('abortRelease', 'Abort a release'),
  [`post ${rel}/{id}/approve`]: release('approveRelease', 'Approve the current stage’s gate'),
  [`post ${rel}/{id}/reject`]: release('rejectRelease', 'Reject the current stage’s gate (rolls back)'),
  'put /environments/{env}/review': {
    id: 'setReview',
    summary: 'How many approvals a flag change in an environment needs (0: none)',
    example: { requiredApprovals: 1 },
  },
  [`get ${changes}`]: { id: 'listChangeRequests', summary: 'Change requests of an environment' },
  [`post ${changes}`]: {
    id: 'proposeChange',
    summary: 'Propose a flag configuration change for review (or schedule it with applyAt)',
    example: { flag: 'new-checkout', config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, version: 3 },
  },
  [`get ${changes}/{id}`]: { id: 'getChangeRequest', summary: 'A change request, its approvals and its diff' },
  [`patch ${changes}/{id}`]: { id: 'editChangeRequest', summary: 'Edit a change request (approvals are revoked)', guarded: 'version' },
  [`post ${changes}/{id}/approve`]: change('approveChange', 'Approve a change request'),
  [`post ${changes}/{id}/reject`]: change('rejectChange', 'Reject a change request'),
  [`post ${changes}/{id}/cancel`]: change('cancelChange', 'Withdraw a change request'),
  [`post ${changes}/{id}/apply`]: change('applyChange', 'Apply an approved change request (re-checks the flag’s version)'),
  'post /flags/{key}/environments/{env}/promote': {
    id: 'promoteFlag',
    summary: 'Preview or apply a flag’s configuration from another environment',
    example: { from: 'staging', apply: true, version: 3 },
  },
  'get /settings/policies': { id: 'getPolicies', summary: 'Flag policies in force (per type, naming) and their defaults' },
  'put /settings/policies': {
    id: 'putPolicies',
    summary: 'Change the flag policies (admins)',
    guarded: 'version',
    example: {
      policies: {
        naming: { pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', hint: 'kebab-case' },
        release: { ownerRequired: true, expiryRequired: true, defaultExpiryDays: 60, productionRolloutNeedsPlan: true },
        experiment: { endDateRequired: true, primaryMetricRequired: true },
        ops: { protectiveStateRequired: true, neverStale: true },
        permission: { noPercentageSplits: true, neverStale: true },
        migration: { stages: ['old', 'dual-write', 'dual-read', 'new'], oneStageAtATime: true },
      },
      version: 0,
    },
  },
  'get /policy-report': { id: 'getPolicyReport', summary: 'Live flags that break a policy (reported, not blocked)' },
  'get /graph': { id: 'getDependencyGraph', summary: 'Prerequisites, segment use and live release plans across flags' },
  'get /webhooks': { id: 'listWebhooks', summary: 'List webhooks' },
  'post /webhooks': { id: 'createWebhook', summary: 'Create a webhook (signing secret shown once)' },
  'delete /webhooks/{id}': { id: 'deleteWebhook', summary: 'Delete a webhook' },
  'post /webhooks/{id}/test': { id: 'testWebhook', summary: 'Send a test delivery to a webhook' },
  'put /code-refs': {
    id: 'pushCodeRefs',
    summary: 'Replace a repository’s code references (edgeflags refs push)',
    example: {
      repository: 'acme/web',
      commit: '4f2a9c1',
      branch: 'main',
      refs: [{ flagKey: 'new-checkout', path: 'src/cart.ts', line: 12 }],
    },
  },
  'get /manifest': { id: 'getFlagManifest', summary: 'Every flag key (archived too), its expiry and per-environment uniform answer' },
  'get /code-refs': { id: 'listCodeRefs', summary: 'Where code reads flags: repository, path, line and commit' },
  'get /reports/stale': { id: 'getStaleReport', summary: 'Flags to remove from code: since when, owner, and the cleanup command' },
  'get /webhook-failures': { id: 'listWebhookFailures', summary: 'Recent failed webhook deliveries' },
};
