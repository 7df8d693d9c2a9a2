// Issue 11 §3: evaluation counts from the edge. Bulk (/sdk/v1/evaluate) and OFREP evaluations
// are counted in isolate memory and flushed to flag_evaluations off the response path (at most
// every EVALUATION_FLUSH_MS: 200 ms in these tests); the lifecycle reads them, and SDK exposures,
// as "last evaluated".
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const context = { context: { targetingKey: 'u-1', accountId: 'acct-1', plan: 'pro', country: 'GB' } };
const bulk = (headers?: HeadersInit) =>
  call('/sdk/v1/evaluate', { method: 'POST', key: LOCAL_KEYS.client, json: context, ...(headers && { headers }) });
const ofrepOne = (flag: string) => call(`/ofrep/v1/evaluate/flags/${flag}`, { method: 'POST', key: LOCAL_KEYS.server, json: context });
const ofrepAll = () => call('/ofrep/v1/evaluate/flags', { method: 'POST', key: LOCAL_KEYS.server, json: context });

async function counts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    `SELECT flag_key AS flag, sum(count) AS n FROM flag_evaluations WHERE environment = 'development' GROUP BY flag_key`,
  ).all<{ flag: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.flag, r.n]));
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(seed);

describe('evaluation counts from the edge', () => {
  it('counts bulk and OFREP evaluations per flag and day in D1, revalidations included', async () => {
    const started = Date.now();
    const first = await bulk();
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    const revalidated = await bulk({ 'If-None-Match': etag });
    expect(revalidated.status).toBe(304); // the caller goes on using its flags: counted
    expect((await bulk()).status).toBe(200);
    expect((await ofrepOne('new-pdf-engine')).status).toBe(200);
    expect((await ofrepOne('new-pdf-engine')).status).toBe(200);
    expect((await ofrepAll()).status).toBe(200);
    // Past the flush interval, the next evaluation writes everything held (its own count too).
    await new Promise((r) => setTimeout(r, 300));
    expect((await ofrepOne('ai-chatbot')).status).toBe(200);
    const expected = {
      // client-visible: three bulk client evaluations + one OFREP bulk (server key)
      'new-pdf-engine': 3 + 1 + 2,
      'redesigned-dashboard': 3 + 1,
      'ai-chatbot': 3 + 1 + 1,
      'maintenance-mode': 3 + 1,
      // server-only: the OFREP bulk alone
      'bulk-invoice-api': 1,
    };
    const got = await until(counts, (c) => Object.entries(expected).every(([k, n]) => c[k] === n));
    expect(got).toMatchObject(expected);
    const row = await env.DB.prepare(`SELECT day, last_at AS lastAt FROM flag_evaluations WHERE flag_key = 'ai-chatbot'`).first<{
      day: number;
      lastAt: number;
    }>();
    expect(row!.day % 86_400_000).toBe(0);
    expect(row!.lastAt).toBeGreaterThanOrEqual(started);
  });

  it('counts SDK-reported exposures as evaluations, and feeds the lifecycle its last evaluation', async () => {
    const before = (await counts())['bulk-invoice-api'] ?? 0;
    const events = [1, 2].map((n) => ({
      flag: 'bulk-invoice-api',
      variant: 'on',
      reason: 'TARGETING_MATCH',
      contextKey: `u-${n}`,
      at: Date.now(),
    }));
    const sent = await call('/sdk/v1/events', { method: 'POST', key: LOCAL_KEYS.server, json: { events } });
    expect(sent.status).toBe(202);
    const got = await until(counts, (c) => c['bulk-invoice-api'] === before + 2, 15_000);
    expect(got['bulk-invoice-api']).toBe(before + 2);
    const detail = async (key: string) =>
      (
        (await (await call(`/api/v1/flags/${key}`, { key: LOCAL_KEYS.admin })).json()) as {
          environments: Record<string, { lifecycle: { lastEvaluatedAt: number | null } }>;
        }
      ).environments;
    const pdf = await detail('new-pdf-engine');
    expect(pdf.development!.lifecycle.lastEvaluatedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(pdf.production!.lifecycle.lastEvaluatedAt).toBeNull();
  });

  it('still answers evaluations when the counts cannot be written', async () => {
    await env.DB.prepare('ALTER TABLE flag_evaluations RENAME TO flag_evaluations_away').run();
    try {
      for (let i = 0; i < 3; i++) {
        expect((await bulk()).status).toBe(200);
        expect((await ofrepOne('ai-chatbot')).status).toBe(200);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await env.DB.prepare('ALTER TABLE flag_evaluations_away RENAME TO flag_evaluations').run();
    }
  });
});
