import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { seedSql } from '../../scripts/seed.mjs';
import { LOCAL_KEYS } from '../../scripts/seed-data.mjs';

export { LOCAL_KEYS };

/** Seeds the invoicing scenario (the same SQL `npm start` runs) into the test D1 database. */
export async function seed(): Promise<void> {
  const statements = seedSql()
    .split('\n')
    .filter((s) => s.trim());
  await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
}

/** Requests go through the Worker's own default export, in-process, like production traffic. */
export const BASE = 'http://edgeflags.test';

export function call(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('Authorization', `Bearer ${init.key}`);
  if (init.json !== undefined) headers.set('Content-Type', 'application/json');
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  return SELF_FETCH(new Request(`${BASE}${path}`, { ...init, headers, body }));
}

const SELF_FETCH = (req: Request) => (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(req);
