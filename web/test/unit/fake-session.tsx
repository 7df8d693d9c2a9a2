import { fireEvent, screen, within } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { createApi } from '../../src/api/client.ts';
import type { ConfigRow, Environment, FlagDetail, Me } from '../../src/api/types.ts';
import { type Session, SessionContext } from '../../src/app-context.ts';

export interface Call {
  method: string;
  path: string;
  body: unknown;
  /** `?reason=…` and the like, or "". */
  query: string;
  /** Request headers other than Authorization and Content-Type (If-Match, Idempotency-Key…). */
  headers: Record<string, string>;
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
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).filter(([k]) => k !== 'Authorization' && k !== 'Content-Type'),
    );
    calls.push({ method, path, query: url.search, body, headers });
    const handler = routes[`${method} ${path}`];
    const [status, json] = handler ? handler(body) : [404, { error: { code: 'not_found', message: `no route for ${method} ${path}` } }];
    return new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export const ENVIRONMENTS: Environment[] = [
  {
    key: 'development',
    name: 'Development',
    production: false,
    sortOrder: 0,
    snapshotVersion: 1,
    deliveredVersion: 1,
    deliveryPendingSince: null,
    deliveryError: null,
    requiredApprovals: 0,
    createdAt: 0,
  },
  {
    key: 'production',
    name: 'Production',
    production: true,
    sortOrder: 1,
    snapshotVersion: 1,
    deliveredVersion: 1,
    deliveryPendingSince: null,
    deliveryError: null,
    requiredApprovals: 0,
    createdAt: 0,
  },
];

export const ADMIN: Me = { id: 'tok-admin', name: 'admin', role: 'admin', productionAccess: true };

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
    scheduledSwitch: null,
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
    primaryMetric: null,
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
  environments = ENVIRONMENTS,
}: {
  routes: ReturnType<typeof fakeFetch>;
  /** Another set of environments (one that reviews changes, say). */
  environments?: Environment[];
  me?: Me;
  children: ComponentChildren;
  notes?: string[];
}) {
  const session: Session = {
    api: createApi({ token: 'efa_test', fetch: routes.fetch }),
    me,
    environments,
    reloadEnvironments: async () => undefined,
    signOut: () => undefined,
    notify: (m) => notes.push(m),
    onChange: () => () => undefined,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** Answers the open production confirmation: the reason for the audit log, then confirm. */
export function confirmWith(reason?: string) {
  const dialog = screen.getByRole('dialog');
  if (reason !== undefined) fireEvent.input(within(dialog).getByLabelText(/^Reason \(audit log\)/), { target: { value: reason } });
  fireEvent.submit(dialog.querySelector('form')!);
}

/** The lines of the open confirmation's "what changes" list, as text. */
export function changeLines(): string[] {
  const list = within(screen.getByRole('dialog')).queryByRole('list', { name: 'What changes' });
  return [...(list?.querySelectorAll('li') ?? [])].map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim());
}
