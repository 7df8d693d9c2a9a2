import type { Body, Input, MethodOf, Ok, Path } from './app-types.ts';
import type * as C from './change-types.ts';
import type * as G from './governance-types.ts';
import type * as T from './types.ts';
import type * as W from './webhook-types.ts';

/** One validation problem, located by a dotted path such as `rules.0.conditions.1.values`. */
export interface Issue {
  path: string;
  message: string;
}

/** The Worker's error envelope (workers/src/errors.ts) as a throwable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code: string; message: string; details?: { issues?: Issue[] } };
}

/**
 * A route's 200 answer, read as the type its route declares. The Worker builds it from the
 * route's response schema (workers/src/admin/responses.ts), so the type is the route's, never
 * the caller's choice.
 */
const answer = <P extends Path, M extends MethodOf<P>>(res: Response): Promise<Ok<P, M>> => res.json();

export interface ApiOptions {
  /** Where the admin API lives; same origin by default (the Worker serves this app). */
  baseUrl?: string;
  token: string;
  fetch?: typeof fetch;
}

const enc = encodeURIComponent;
const newKey = () => crypto.randomUUID();

interface CallOptions {
  /** The version the change was made against (428 without it on guarded writes, 409 if stale). */
  ifMatch?: number | undefined;
  /** `*`: create only, 409 if it exists. */
  ifNoneMatch?: '*';
  /** A POST that reads (impact, evaluate): no idempotency key. */
  read?: boolean;
}

/** What a call sends, typed by its route: path parameters, query string, JSON body. */
type Args<P extends Path, M extends MethodOf<P>> = {
  [K in 'param' | 'query' | 'json' as K extends keyof Input<P, M> ? K : never]: K extends keyof Input<P, M> ? Input<P, M>[K] : never;
};

/** `/flags/:key` with `{ key: 'a b' }` → `/flags/a%20b`, plus the query's defined values. */
function urlOf(path: string, param: Record<string, string> = {}, query: Record<string, unknown> = {}): string {
  const q = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  const filled = path.replace(/:(\w+)/g, (_, name: string) => enc(param[name] ?? ''));
  return q.length ? `${filled}?${q.join('&')}` : filled;
}

/**
 * The Worker registers release and change-request actions in a loop, which leaves them out of
 * AppType; each has a sibling route declared literally with the same body and answer (rollback,
 * apply). This takes the sibling's types and calls the action's own path.
 */
const loopRoute = <P extends Path>(sibling: P, action: string) => sibling.replace(/[^/]+$/, action) as P;

/** A typed client for /api/v1: one method per route the app uses. */
export function createApi({ baseUrl = '', token, fetch: f = globalThis.fetch.bind(globalThis) }: ApiOptions) {
  // A write that failed in transit (network, 5xx) may still have been applied. Sending the exact
  // same request again — the admin's retry of that save — reuses its Idempotency-Key, so the
  // Worker applies it once; any other write is a new action with a new key.
  let inDoubt: { fingerprint: string; key: string } | undefined;

  /**
   * One route, by its path as the Worker declares it: what it takes and what it answers with 200
   * are the route's own types (app-types.ts), so a call cannot ask for a shape the route lacks.
   */
  async function call<P extends Path, M extends MethodOf<P>>(
    method: M,
    path: P,
    args: Args<P, M>,
    opts: CallOptions = {},
  ): Promise<Ok<P, M>> {
    const { param, query, json } = args as { param?: Record<string, string>; query?: Record<string, unknown>; json?: unknown };
    const url = urlOf(path, param, query);
    const verb = method.toUpperCase();
    // No token: signed in through Cloudflare Access, whose cookie the browser sends by itself.
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const init: RequestInit = { method: verb, headers };
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      headers['Content-Type'] = 'application/json';
    }
    if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
    if (opts.ifNoneMatch) headers['If-None-Match'] = opts.ifNoneMatch;
    const write = verb !== 'GET' && !opts.read;
    const fingerprint = write ? JSON.stringify([verb, url, init.body ?? null, opts.ifMatch ?? null, opts.ifNoneMatch ?? null]) : '';
    if (write) {
      const key = inDoubt?.fingerprint === fingerprint ? inDoubt.key : newKey();
      headers['Idempotency-Key'] = key;
      inDoubt = { fingerprint, key };
    }
    let res: Response;
    try {
      res = await f(`${baseUrl}/api/v1${url}`, init);
    } catch {
      throw new ApiError(0, 'network', 'cannot reach the edgeflags API; check your connection');
    }
    // Only an answer that may not reflect the outcome keeps the key for a retry.
    if (write && res.status < 500) inDoubt = undefined;
    if (res.ok) return answer<P, M>(res);
    const e = ((await res.json().catch(() => null)) as ErrorBody | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `request failed (${res.status})`, e?.details?.issues ?? []);
  }

  return {
    me: () => call('get', '/me', {}),
    listFlags: () => call('get', '/flags', {}),
    getFlag: (key: string) => call('get', '/flags/:key', { param: { key } }),
    createFlag: (body: T.FlagCreateBody) => call('post', '/flags', { json: body }),
    patchFlag: (key: string, body: T.FlagPatchBody) => call('patch', '/flags/:key', { param: { key }, json: body }),
    /** Archive, guarded by the flag's version. */
    archiveFlag: (key: string, version: number, reason?: string) =>
      call('delete', '/flags/:key', { param: { key }, query: { reason } }, { ifMatch: version }),
    restoreFlag: (key: string, version: number, reason?: string) =>
      call('post', '/flags/:key/restore', { param: { key }, json: { version, ...(reason && { reason }) } }, { ifMatch: version }),
    putConfig: (key: string, env: string, body: T.ConfigBody) =>
      call('put', '/flags/:key/environments/:env', { param: { key, env }, json: body }),
    /**
     * On/off. `version` is left out only for the protective move (the kill switch), which must
     * win against a stale editor; every other switch is guarded like any edit.
     */
    toggle: (key: string, env: string, body: T.ToggleBody, version?: number) =>
      call('post', '/flags/:key/environments/:env/toggle', { param: { key, env }, json: body }, { ifMatch: version }),
    /** Back to a configuration from the audit log, guarded by the version being replaced (docs/audit.md). */
    revertConfig: (key: string, env: string, body: { toAuditId: number; reason?: string }, version: number) =>
      call('post', '/flags/:key/environments/:env/revert', { param: { key, env }, json: { ...body, version } }, { ifMatch: version }),
    rollout: (key: string, env: string, body: T.RolloutBody) =>
      call('put', '/flags/:key/environments/:env/rollout', { param: { key, env }, json: body }),
    impact: (key: string, env: string, config: T.ConfigBody) =>
      call('post', '/flags/:key/environments/:env/impact', { param: { key, env }, json: config }, { read: true }),
    /** Where code reads the flag (edgeflags refs push). */
    codeRefs: (flag: string) => call('get', '/code-refs', { query: { flag } }),
    exposures: (env: string, flag?: string, hours = 24) =>
      call('get', '/environments/:env/exposures', { param: { env }, query: { hours: String(hours), flag } }),
    recentContexts: (env: string, limit = 20) =>
      call('get', '/environments/:env/contexts', { param: { env }, query: { limit: String(limit) } }),
    listEnvironments: () => call('get', '/environments', {}),
    createEnvironment: (body: T.EnvironmentBody) => call('post', '/environments', { json: body }),
    hubStats: (env: string) => call('get', '/environments/:env/hub', { param: { env } }),
    evaluate: (env: string, context: Record<string, unknown>, flags?: string[]) =>
      call('post', '/environments/:env/evaluate', { param: { env }, json: { context, flags } }, { read: true }),
    listSegments: (env: string) => call('get', '/environments/:env/segments', { param: { env } }),
    /** Without `body.version` this creates (If-None-Match: *), refused with 409 if the key exists. */
    putSegment: (env: string, key: string, body: T.SegmentBody) =>
      call(
        'put',
        '/environments/:env/segments/:segment',
        { param: { env, segment: key }, json: body },
        {
          ifMatch: body.version,
          ...(body.version === undefined && { ifNoneMatch: '*' as const }),
        },
      ),
    deleteSegment: (env: string, key: string, version: number, reason?: string) =>
      call('delete', '/environments/:env/segments/:segment', { param: { env, segment: key }, query: { reason } }, { ifMatch: version }),
    listSdkKeys: () => call('get', '/sdk-keys', {}),
    createSdkKey: (body: T.SdkKeyBody) => call('post', '/sdk-keys', { json: body }),
    revokeSdkKey: (id: string) => call('delete', '/sdk-keys/:id', { param: { id } }),
    /** Its rate-limit tier (docs/scale.md "Rate limits"). */
    updateSdkKey: (id: string, body: Body<'/sdk-keys/:id', 'patch'>) => call('patch', '/sdk-keys/:id', { param: { id }, json: body }),
    listAdminTokens: () => call('get', '/admin-tokens', {}),
    /** Roles of people signed in through Cloudflare Access, by email or group (docs/identity.md). */
    roleBindings: () => call('get', '/role-bindings', {}),
    createRoleBinding: (body: Body<'/role-bindings', 'post'>) => call('post', '/role-bindings', { json: body }),
    deleteRoleBinding: (id: string) => call('delete', '/role-bindings/:id', { param: { id } }),
    createAdminToken: (body: T.AdminTokenBody) => call('post', '/admin-tokens', { json: body }),
    revokeAdminToken: (id: string) => call('delete', '/admin-tokens/:id', { param: { id } }),
    releases: (key: string, env: string) => call('get', '/flags/:key/environments/:env/releases', { param: { key, env } }),
    release: (key: string, env: string, id: string) =>
      call('get', '/flags/:key/environments/:env/releases/:id', { param: { key, env, id } }),
    createRelease: (key: string, env: string, body: T.ReleaseCreateBody) =>
      call('post', '/flags/:key/environments/:env/releases', { param: { key, env }, json: body }),
    /** Rollback sends no version: like the kill switch, it must win against a stale page. */
    releaseAction: (key: string, env: string, id: string, action: T.ReleaseAction, body: T.ReleaseActionBody) =>
      call('post', loopRoute('/flags/:key/environments/:env/releases/:id/rollback', action), { param: { key, env, id }, json: body }),
    /** Live plans across flags, with their last decision and when each stage may advance, for the flags list. */
    liveReleases: () => call('get', '/releases', {}),
    releaseTemplates: () => call('get', '/release-templates', {}),
    listWebhooks: () => call('get', '/webhooks', {}),
    createWebhook: (body: W.WebhookCreateBody) => call('post', '/webhooks', { json: body }),
    deleteWebhook: (id: string) => call('delete', '/webhooks/:id', { param: { id } }),
    testWebhook: (id: string) => call('post', '/webhooks/:id/test', { param: { id }, json: {} }),
    webhookFailures: () => call('get', '/webhook-failures', { query: {} }),
    /** Flags to remove from code, since when, whose, with the cleanup command (default: production environments). */
    staleReport: (environment?: string) => call('get', '/reports/stale', { query: { environment } }),
    /** Prerequisites, segment use and live releases across flags: what archiving something would break. */
    graph: () => call('get', '/graph', {}),
    policies: () => call('get', '/settings/policies', {}),
    putPolicies: (policies: G.Policies, version: number) =>
      call('put', '/settings/policies', { json: { policies, version } }, { ifMatch: version }),
    policyReport: () => call('get', '/policy-report', {}),
    /** Change requests of an environment (docs/change-requests.md), newest first. */
    changeRequests: (env: string, status?: C.ChangeStatus) =>
      call('get', '/environments/:env/change-requests', { param: { env }, query: { status } }),
    changeRequest: (env: string, id: string) => call('get', '/environments/:env/change-requests/:id', { param: { env, id } }),
    /** Approve, reject, cancel or apply, guarded by the request's version (the revision the reviewer read). */
    changeAction: (env: string, id: string, action: C.ChangeAction, version: number, reason?: string) =>
      call('post', loopRoute('/environments/:env/change-requests/:id/apply', action), {
        param: { env, id },
        json: { version, ...(reason && { reason }) },
      }),
    /** A flag-config change proposed for review, written against the version the editor read. */
    proposeChange: (env: string, body: Body<'/environments/:env/change-requests', 'post'>) =>
      call('post', '/environments/:env/change-requests', { param: { env }, json: body }),
    /** How many approvals a flag change in the environment needs (admins; 0: none). */
    setReview: (env: string, requiredApprovals: number, reason?: string) =>
      call('put', '/environments/:env/review', { param: { env }, json: { requiredApprovals, ...(reason && { reason }) } }),
    /** The diff from `from` to `env` (a preview), or with `apply` applied or proposed where `env` is reviewed. */
    promote: (key: string, env: string, body: Body<'/flags/:key/environments/:env/promote', 'post'>) =>
      call('post', '/flags/:key/environments/:env/promote', { param: { key, env }, json: body }, { read: body.apply !== true }),
    audit: (filter: T.AuditFilter) => call('get', '/audit', { query: filter }),
  };
}

export type Api = ReturnType<typeof createApi>;
