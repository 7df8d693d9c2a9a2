import type * as C from './change-types.ts';
import type { CodeRef } from './code-ref-types.ts';
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

/** A typed client for /api/v1: one method per route the app uses. */
export function createApi({ baseUrl = '', token, fetch: f = globalThis.fetch.bind(globalThis) }: ApiOptions) {
  // A write that failed in transit (network, 5xx) may still have been applied. Sending the exact
  // same request again — the admin's retry of that save — reuses its Idempotency-Key, so the
  // Worker applies it once; any other write is a new action with a new key.
  let inDoubt: { fingerprint: string; key: string } | undefined;

  async function call<R>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<R> {
    // No token: signed in through Cloudflare Access, whose cookie the browser sends by itself.
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
    if (opts.ifNoneMatch) headers['If-None-Match'] = opts.ifNoneMatch;
    const write = method !== 'GET' && !opts.read;
    const fingerprint = write ? JSON.stringify([method, path, init.body ?? null, opts.ifMatch ?? null, opts.ifNoneMatch ?? null]) : '';
    if (write) {
      const key = inDoubt?.fingerprint === fingerprint ? inDoubt.key : newKey();
      headers['Idempotency-Key'] = key;
      inDoubt = { fingerprint, key };
    }
    let res: Response;
    try {
      res = await f(`${baseUrl}/api/v1${path}`, init);
    } catch {
      throw new ApiError(0, 'network', 'cannot reach the edgeflags API; check your connection');
    }
    // Only an answer that may not reflect the outcome keeps the key for a retry.
    if (write && res.status < 500) inDoubt = undefined;
    const data = (await res.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: { issues?: Issue[] } };
    } | null;
    if (!res.ok) {
      const e = data?.error;
      throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `request failed (${res.status})`, e?.details?.issues ?? []);
    }
    return data as R;
  }
  const flagEnv = (key: string, env: string) => `/flags/${enc(key)}/environments/${enc(env)}`;

  return {
    me: () => call<T.Me>('GET', '/me'),
    listFlags: () => call<{ flags: T.FlagSummary[] }>('GET', '/flags'),
    getFlag: (key: string) => call<T.FlagDetail>('GET', `/flags/${enc(key)}`),
    createFlag: (body: T.FlagCreateBody) => call<T.FlagRow>('POST', '/flags', body),
    patchFlag: (key: string, body: T.FlagPatchBody) => call<T.FlagWriteResult>('PATCH', `/flags/${enc(key)}`, body),
    /** Archive, guarded by the flag's version. */
    archiveFlag: (key: string, version: number, reason?: string) =>
      call<T.ArchiveResult>('DELETE', `/flags/${enc(key)}${reason ? `?reason=${enc(reason)}` : ''}`, undefined, { ifMatch: version }),
    restoreFlag: (key: string, version: number, reason?: string) =>
      call<T.FlagWriteResult>('POST', `/flags/${enc(key)}/restore`, { version, ...(reason && { reason }) }, { ifMatch: version }),
    putConfig: (key: string, env: string, body: T.ConfigBody) => call<T.WriteResult>('PUT', flagEnv(key, env), body),
    /**
     * On/off. `version` is left out only for the protective move (the kill switch), which must
     * win against a stale editor; every other switch is guarded like any edit.
     */
    toggle: (key: string, env: string, body: T.ToggleBody, version?: number) =>
      call<T.WriteResult>('POST', `${flagEnv(key, env)}/toggle`, body, { ifMatch: version }),
    /** Back to a configuration from the audit log, guarded by the version being replaced (docs/audit.md). */
    revertConfig: (key: string, env: string, body: { toAuditId: number; reason?: string }, version: number) =>
      call<T.WriteResult>('POST', `${flagEnv(key, env)}/revert`, { ...body, version }, { ifMatch: version }),
    rollout: (key: string, env: string, body: T.RolloutBody) => call<T.WriteResult>('PUT', `${flagEnv(key, env)}/rollout`, body),
    impact: (key: string, env: string, config: T.ConfigBody) =>
      call<T.ImpactResponse>('POST', `/flags/${enc(key)}/environments/${enc(env)}/impact`, config, { read: true }),
    /** Where code reads the flag (edgeflags refs push). */
    codeRefs: (flag: string) => call<{ refs: CodeRef[] }>('GET', `/code-refs?flag=${enc(flag)}`),
    exposures: (env: string, flag?: string, hours = 24) =>
      call<T.ExposuresResponse>('GET', `/environments/${enc(env)}/exposures?hours=${hours}${flag ? `&flag=${enc(flag)}` : ''}`),
    recentContexts: (env: string, limit = 20) =>
      call<{ contexts: T.RecentContext[] }>('GET', `/environments/${enc(env)}/contexts?limit=${limit}`),
    listEnvironments: () => call<{ environments: T.Environment[] }>('GET', '/environments'),
    createEnvironment: (body: T.EnvironmentBody) => call<T.EnvironmentBody>('POST', '/environments', body),
    hubStats: (env: string) => call<T.HubStats>('GET', `/environments/${enc(env)}/hub`),
    evaluate: (env: string, context: Record<string, unknown>, flags?: string[]) =>
      call<T.EvaluateResponse>('POST', `/environments/${enc(env)}/evaluate`, { context, flags }, { read: true }),
    listSegments: (env: string) => call<{ segments: T.SegmentRow[] }>('GET', `/environments/${enc(env)}/segments`),
    /** Without `body.version` this creates (If-None-Match: *), refused with 409 if the key exists. */
    putSegment: (env: string, key: string, body: T.SegmentBody) =>
      call<T.SegmentRow & T.Delivery>('PUT', `/environments/${enc(env)}/segments/${enc(key)}`, body, {
        ifMatch: body.version,
        ...(body.version === undefined && { ifNoneMatch: '*' as const }),
      }),
    deleteSegment: (env: string, key: string, version: number, reason?: string) =>
      call<T.Delivery>('DELETE', `/environments/${enc(env)}/segments/${enc(key)}${reason ? `?reason=${enc(reason)}` : ''}`, undefined, {
        ifMatch: version,
      }),
    listSdkKeys: () => call<{ keys: T.SdkKeyRow[] }>('GET', '/sdk-keys'),
    createSdkKey: (body: T.SdkKeyBody) => call<T.SdkKeyRow & { secret: string }>('POST', '/sdk-keys', body),
    revokeSdkKey: (id: string) => call<T.SdkKeyRow>('DELETE', `/sdk-keys/${enc(id)}`),
    listAdminTokens: () => call<{ tokens: T.AdminTokenRow[] }>('GET', '/admin-tokens'),
    createAdminToken: (body: T.AdminTokenBody) => call<T.AdminTokenRow & { secret: string }>('POST', '/admin-tokens', body),
    revokeAdminToken: (id: string) => call<T.AdminTokenRow>('DELETE', `/admin-tokens/${enc(id)}`),
    releases: (key: string, env: string) => call<{ releases: T.ReleasePlan[] }>('GET', `${flagEnv(key, env)}/releases`),
    release: (key: string, env: string, id: string) => call<T.ReleaseDetail>('GET', `${flagEnv(key, env)}/releases/${enc(id)}`),
    createRelease: (key: string, env: string, body: T.ReleaseCreateBody) =>
      call<T.ReleaseWritten>('POST', `${flagEnv(key, env)}/releases`, body),
    /** Rollback sends no version: like the kill switch, it must win against a stale page. */
    releaseAction: (key: string, env: string, id: string, action: T.ReleaseAction, body: T.ReleaseActionBody) =>
      call<T.ReleaseWritten>('POST', `${flagEnv(key, env)}/releases/${enc(id)}/${action}`, body),
    /** Live plans across flags, with their last decision and when each stage may advance, for the flags list. */
    liveReleases: () => call<{ releases: T.LiveRelease[] }>('GET', '/releases'),
    releaseTemplates: () => call<{ templates: Record<T.TemplateName, T.ReleaseTemplate> }>('GET', '/release-templates'),
    listWebhooks: () => call<{ webhooks: W.WebhookRow[] }>('GET', '/webhooks'),
    createWebhook: (body: W.WebhookCreateBody) => call<W.WebhookRow & { secret: string }>('POST', '/webhooks', body),
    deleteWebhook: (id: string) => call<W.WebhookRow>('DELETE', `/webhooks/${enc(id)}`),
    testWebhook: (id: string) => call<W.WebhookTestResult>('POST', `/webhooks/${enc(id)}/test`, {}),
    webhookFailures: () => call<{ failures: W.WebhookFailure[]; next: number | null }>('GET', '/webhook-failures'),
    /** Flags to remove from code, since when, whose, with the cleanup command (default: production environments). */
    staleReport: (environment?: string) =>
      call<T.StaleReport>('GET', `/reports/stale${environment ? `?environment=${enc(environment)}` : ''}`),
    /** Prerequisites, segment use and live releases across flags: what archiving something would break. */
    graph: () => call<G.Graph>('GET', '/graph'),
    policies: () => call<G.StoredPolicies>('GET', '/settings/policies'),
    putPolicies: (policies: G.Policies, version: number) =>
      call<G.StoredPolicies>('PUT', '/settings/policies', { policies, version }, { ifMatch: version }),
    policyReport: () => call<G.PolicyReport>('GET', '/policy-report'),
    /** Change requests of an environment (docs/change-requests.md), newest first. */
    changeRequests: (env: string, status?: C.ChangeStatus) =>
      call<{ changeRequests: C.ChangeRequest[] }>('GET', `/environments/${enc(env)}/change-requests${status ? `?status=${status}` : ''}`),
    changeRequest: (env: string, id: string) => call<C.ChangeDetail>('GET', `/environments/${enc(env)}/change-requests/${enc(id)}`),
    /** Approve, reject, cancel or apply, guarded by the request's version (the revision the reviewer read). */
    changeAction: (env: string, id: string, action: C.ChangeAction, version: number, reason?: string) =>
      call<unknown>('POST', `/environments/${enc(env)}/change-requests/${enc(id)}/${action}`, { version, ...(reason && { reason }) }),
    audit: (filter: T.AuditFilter) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
      return call<{ entries: T.AuditRow[]; next: number | null }>('GET', `/audit?${q}`);
    },
  };
}

export type Api = ReturnType<typeof createApi>;
