import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../src/snapshot/publish.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

// The evaluate answer names the flags under a live release plan, so a browser page knows which
// outcomes to record (@edgeflags/browser/outcomes); a client key learns only client-visible ones.

async function livePlan(id: string, flag: string, status: string) {
  await env.DB.prepare(
    `INSERT INTO release_plans (id, environment, flag_key, status, treatment_variant, baseline_variant, stages, settings)
     VALUES (?, 'development', ?, ?, 'on', 'off', '[]', '{}')`,
  )
    .bind(id, flag, status)
    .run();
}

/** Served by each flag's default rule: ai-chatbot's rule (free plan in US/GB) does not match a pro user. */
const DEFAULT_RULE_USER = { targetingKey: 'u-1', plan: 'pro', country: 'US' };

const evaluate = async (key: string, context: Record<string, string> = DEFAULT_RULE_USER) => {
  const res = await call('/sdk/v1/evaluate', {
    method: 'POST',
    key,
    json: { context },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { flags: Record<string, unknown>; tracked?: string[] };
};

beforeAll(async () => {
  await seed();
  // Before any plan: the answer has no `tracked` at all.
  const before = await evaluate(LOCAL_KEYS.client);
  expect('tracked' in before).toBe(false);
  await livePlan('plan-bulk', 'bulk-invoice-api', 'running'); // server-only flag
  await livePlan('plan-chat', 'ai-chatbot', 'paused'); // client-visible flag
  await livePlan('plan-dash', 'redesigned-dashboard', 'draft'); // not live
  await env.DB.prepare("UPDATE environments SET snapshot_version = snapshot_version + 1 WHERE key = 'development'").run();
  await deliver(env, 'development', []);
});

describe('POST /sdk/v1/evaluate: tracked', () => {
  it('names the live-plan flags a client key holds, and only those', async () => {
    const answer = await evaluate(LOCAL_KEYS.client);
    expect(answer.tracked).toEqual(['ai-chatbot']);
    expect(Object.keys(answer.flags)).not.toContain('bulk-invoice-api');
  });

  it('names every live-plan flag for a server key', async () => {
    const answer = await evaluate(LOCAL_KEYS.server);
    expect(answer.tracked?.sort()).toEqual(['ai-chatbot', 'bulk-invoice-api']);
  });

  it('leaves out a flag whose answer for this context came from a rule: a fixed cohort is outside the release comparison', async () => {
    const ruleMatched = await evaluate(LOCAL_KEYS.server, { targetingKey: 'u-1', plan: 'free', country: 'US' });
    expect(ruleMatched.flags['ai-chatbot']).toMatchObject({ reason: 'TARGETING_MATCH' });
    expect(ruleMatched.tracked).toEqual(['bulk-invoice-api']);
  });
});
