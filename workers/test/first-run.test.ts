import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS } from './seed.ts';

// A fresh production database: migrations applied, no seed. Only an admin token exists (what
// the ADMIN_TOKEN bootstrap secret gives a real deployment) and, later, one SDK key.
async function sha256Hex(s: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
/** Storage is shared by this file's tests: each starts from empty tables (the migrations stay). */
async function wipe(): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  await env.DB.batch([env.DB.prepare('PRAGMA defer_foreign_keys = on'), ...results.map((t) => env.DB.prepare(`DELETE FROM "${t.name}"`))]);
}
async function adminOnly(): Promise<void> {
  await wipe();
  await env.DB.prepare(
    "INSERT INTO admin_tokens (id, name, role, production_access, hash, hint) VALUES ('00000000-0000-4000-8000-0000000000aa', 'first admin', 'admin', 1, ?, 'efa_…')",
  )
    .bind(await sha256Hex(LOCAL_KEYS.admin))
    .run();
}
const admin = (path: string, init: RequestInit & { json?: unknown } = {}) => call(`/api/v1${path}`, { ...init, key: LOCAL_KEYS.admin });
type Envs = { environments: { key: string; name: string; production: boolean }[] };

describe('first run on a fresh database', () => {
  it('answers with default environments (production marked) and an empty flag list', async () => {
    await adminOnly();
    const res = await admin('/environments');
    expect(res.status).toBe(200);
    const { environments } = (await res.json()) as Envs;
    expect(environments.map((e) => [e.key, e.production])).toEqual([
      ['development', false],
      ['staging', false],
      ['production', true],
    ]);
    const flags = await admin('/flags');
    expect(flags.status).toBe(200);
    expect(((await flags.json()) as { flags: unknown[] }).flags).toEqual([]);
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'environment.create'").first<{ n: number }>();
    expect(audit?.n).toBe(3);
  });

  it('serves an SDK in a default environment an empty snapshot, not an error', async () => {
    await adminOnly();
    await admin('/environments');
    await env.DB.prepare(
      "INSERT INTO sdk_keys (id, kind, environment, name, hash, hint) VALUES ('00000000-0000-4000-8000-0000000000bb', 'server', 'production', 'k', ?, 'efs_…')",
    )
      .bind(await sha256Hex(LOCAL_KEYS.server))
      .run();
    const res = await call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.server, json: { context: { targetingKey: 'u' } } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { flags: object }).flags).toEqual({});
  });

  it('creates each default once when first requests arrive together', async () => {
    await adminOnly();
    const answers = await Promise.all([1, 2, 3, 4].map(() => admin('/environments')));
    for (const res of answers) expect(((await res.json()) as Envs).environments).toHaveLength(3);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM environments').first<{ n: number }>();
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'environment.create'").first<{ n: number }>();
    expect([rows?.n, audit?.n]).toEqual([3, 3]);
  });

  it('leaves a deployment that already has environments alone', async () => {
    await adminOnly();
    const made = await admin('/environments', { method: 'POST', json: { key: 'live', name: 'Live', production: true } });
    expect(made.status).toBe(200);
    const { environments } = (await (await admin('/environments')).json()) as Envs;
    expect(environments.map((e) => e.key)).toEqual(['live']);
  });
});
