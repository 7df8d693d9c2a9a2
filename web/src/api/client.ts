import type * as T from './types.ts';

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

/** A typed client for /api/v1: one method per route the app uses. */
export function createApi({ baseUrl = '', token, fetch: f = globalThis.fetch.bind(globalThis) }: ApiOptions) {
  async function call<R>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<R> {
    const init: RequestInit = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await f(`${baseUrl}/api/v1${path}`, init);
    } catch {
      throw new ApiError(0, 'network', 'cannot reach the edgeflags API; check your connection');
    }
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
    patchFlag: (key: string, body: T.FlagPatchBody) => call<T.FlagRow>('PATCH', `/flags/${enc(key)}`, body),
    archiveFlag: (key: string, reason?: string) =>
      call<{ key: string }>('DELETE', `/flags/${enc(key)}${reason ? `?reason=${enc(reason)}` : ''}`),
    putConfig: (key: string, env: string, body: T.ConfigBody) => call<T.WriteResult>('PUT', flagEnv(key, env), body),
    toggle: (key: string, env: string, body: T.ToggleBody) => call<T.WriteResult>('POST', `${flagEnv(key, env)}/toggle`, body),
    rollout: (key: string, env: string, body: T.RolloutBody) => call<T.WriteResult>('PUT', `${flagEnv(key, env)}/rollout`, body),
    impact: (key: string, env: string, config: T.ConfigBody) =>
      call<T.ImpactResponse>('POST', `/flags/${enc(key)}/environments/${enc(env)}/impact`, config),
    exposures: (env: string, flag?: string, hours = 24) =>
      call<T.ExposuresResponse>('GET', `/environments/${enc(env)}/exposures?hours=${hours}${flag ? `&flag=${enc(flag)}` : ''}`),
    recentContexts: (env: string, limit = 20) =>
      call<{ contexts: T.RecentContext[] }>('GET', `/environments/${enc(env)}/contexts?limit=${limit}`),
    listEnvironments: () => call<{ environments: T.Environment[] }>('GET', '/environments'),
    createEnvironment: (body: T.EnvironmentBody) => call<T.EnvironmentBody>('POST', '/environments', body),
    hubStats: (env: string) => call<T.HubStats>('GET', `/environments/${enc(env)}/hub`),
    evaluate: (env: string, context: Record<string, unknown>, flags?: string[]) =>
      call<T.EvaluateResponse>('POST', `/environments/${enc(env)}/evaluate`, { context, flags }),
    listSegments: (env: string) => call<{ segments: T.SegmentRow[] }>('GET', `/environments/${enc(env)}/segments`),
    putSegment: (env: string, key: string, body: T.SegmentBody) =>
      call<T.SegmentRow>('PUT', `/environments/${enc(env)}/segments/${enc(key)}`, body),
    deleteSegment: (env: string, key: string) => call<unknown>('DELETE', `/environments/${enc(env)}/segments/${enc(key)}`),
    listSdkKeys: () => call<{ keys: T.SdkKeyRow[] }>('GET', '/sdk-keys'),
    createSdkKey: (body: T.SdkKeyBody) => call<T.SdkKeyRow & { secret: string }>('POST', '/sdk-keys', body),
    revokeSdkKey: (id: string) => call<T.SdkKeyRow>('DELETE', `/sdk-keys/${enc(id)}`),
    listAdminTokens: () => call<{ tokens: T.AdminTokenRow[] }>('GET', '/admin-tokens'),
    createAdminToken: (body: T.AdminTokenBody) => call<T.AdminTokenRow & { secret: string }>('POST', '/admin-tokens', body),
    revokeAdminToken: (id: string) => call<T.AdminTokenRow>('DELETE', `/admin-tokens/${enc(id)}`),
    audit: (filter: T.AuditFilter) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
      return call<{ entries: T.AuditRow[]; next: number | null }>('GET', `/audit?${q}`);
    },
  };
}

export type Api = ReturnType<typeof createApi>;
