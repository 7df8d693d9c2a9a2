import type { ComponentChildren } from 'preact';
import { createApi } from '../../src/api/client.ts';
import type { ConfigRow, Environment, FlagDetail, Me } from '../../src/api/types.ts';
import { type Session, SessionContext } from '../../src/app-context.ts';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}
type Handler = (body: unknown) => [number, unknown];

/** A fetch that answers admin API routes from a table ("PUT /flags/x/…") and records every call. */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://test');
    const path = url.pathname.replace('/api/v1', '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path, body });
    const handler = routes[`${method} ${path}`];
    const [status, json] = handler ? handler(body) : [404, { error: { code: 'not_found', message: `no route for ${method} ${path}` } }];
    return new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export const ENVIRONMENTS: Environment[] = [
  { key: 'development', name: 'Development', production: false, sortOrder: 0, snapshotVersion: 1, deliveredVersion: 1, deliveryPendingSince: null, deliveryError: null, createdAt: 0 },
  { key: 'production', name: 'Production', production: true, sortOrder: 1, snapshotVersion: 1, deliveredVersion: 1, deliveryPendingSince: null, deliveryError: null, createdAt: 0 },
];

export const ADMIN: Me = { name: 'admin', role: 'admin', productionAccess: true };

export function config(env: string, over: Partial<ConfigRow> = {}): ConfigRow {
  return {
    flagKey: 'checkout',
    environment: env,
    enabled: false,
    offVariant: 'off',
    prerequisites: [],
    targets: [],
    rules: [],
    defaultServe: { variant: 'off' },
    bucketBy: null,
    salt: null,
    version: 3,
    updatedAt: 0,
    ...over,
  };
}

export function flag(over: Partial<FlagDetail> = {}): FlagDetail {
  return {
    key: 'checkout',
    kind: 'boolean',
    variants: { on: true, off: false },
    name: 'Checkout',
    description: '',
    tags: [],
    owner: 'payments',
    type: 'release',
    expiresAt: null,
    links: [],
    clientVisible: false,
    protectiveState: 'off',
    version: 1,
    archivedAt: null,
    createdAt: 0,
    updatedAt: 0,
    environments: { development: config('development'), production: config('production') },
    ...over,
  };
}

export function WithSession({
  routes,
  me = ADMIN,
  children,
  notes = [],
}: {
  routes: ReturnType<typeof fakeFetch>;
  me?: Me;
  children: ComponentChildren;
  notes?: string[];
}) {
  const session: Session = {
    api: createApi({ token: 'efa_test', fetch: routes.fetch }),
    me,
    environments: ENVIRONMENTS,
    reloadEnvironments: async () => undefined,
    signOut: () => undefined,
    notify: (m) => notes.push(m),
    onChange: () => () => undefined,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
