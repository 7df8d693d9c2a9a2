// No caller can make evaluation slow for everyone (issue 8, items 11 and 12): regexes run on RE2,
// prerequisite fan-out is bounded at validation and memoised at evaluation, and rules stored
// before these limits are reported without blocking other writes.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
// biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely, field by field
type Json = Record<string, any>;
const json = async (res: Response) => (await res.json()) as Json;
const cfg = (flag: string) => `/api/v1/flags/${flag}/environments/development`;
const versionOf = async (flag: string) => (await json(await call(cfg(flag), { key: A }))).version as number;
const put = async (flag: string, config: Json) =>
  call(cfg(flag), { method: 'PUT', key: A, json: { version: await versionOf(flag), offVariant: 'off', ...config } });

const onWhenProbed = [{ conditions: [{ attribute: 'probe', op: 'equals', values: ['yes'] }], serve: { variant: 'on' } }];

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function evaluate(key: string, context: Json): Promise<{ flags: Json; ms: number }> {
  const started = Date.now();
  const res = await call('/sdk/v1/evaluate', { method: 'POST', key, json: { context } });
  expect(res.status).toBe(200);
  return { flags: (await json(res)).flags, ms: Date.now() - started };
}

/**
 * The attack's shape stored straight into D1, as if saved before the limit existed: levels 1–15
 * of 3 flags, each needing all 3 of the next level. With `ai-chatbot` on top it is 46 flags.
 */
async function storeDiamond(): Promise<void> {
  const level = (n: number) => [0, 1, 2].map((i) => `l${n}-${i}`);
  const stmts: D1PreparedStatement[] = [];
  for (let n = 1; n <= 15; n++) {
    const prerequisites = n < 15 ? level(n + 1).map((flag) => ({ flag, variants: ['on'] })) : [];
    for (const key of level(n)) {
      stmts.push(
        env.DB.prepare(`INSERT INTO flags (key, kind, variants) VALUES (?, 'boolean', '{"on":true,"off":false}')`).bind(key),
        env.DB.prepare(
          `INSERT INTO flag_configs (flag_key, environment, enabled, off_variant, prerequisites, rules, default_serve)
           VALUES (?, 'development', 1, 'off', ?, ?, '{"variant":"off"}')`,
        ).bind(key, JSON.stringify(prerequisites), JSON.stringify(onWhenProbed)),
      );
    }
  }
  await env.DB.batch(stmts);
}

beforeAll(async () => {
  await seed();
  await storeDiamond();
  // Stored while RegExp ran regexes: RE2 has no lookahead.
  await env.DB.prepare(
    `UPDATE flag_configs SET enabled = 1, rules = ? WHERE flag_key = 'redesigned-dashboard' AND environment = 'development'`,
  )
    .bind(
      JSON.stringify([
        { conditions: [{ attribute: 'email', op: 'matches', values: ['^(?!test).*@example\\.com$'] }], serve: { variant: 'treatment' } },
      ]),
    )
    .run();
});

describe('prerequisite fan-out (item 12)', () => {
  it('refuses the write that completes the 46-flag diamond with 422 naming the limit, and saves nothing', async () => {
    const before = await versionOf('ai-chatbot');
    const res = await put('ai-chatbot', {
      enabled: true,
      prerequisites: [0, 1, 2].map((i) => ({ flag: `l1-${i}`, variants: ['on'] })),
      rules: onWhenProbed,
      defaultServe: { variant: 'off' },
    });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('rule_violation');
    expect(JSON.stringify(body.error)).toContain('at most 32 may be reachable from one flag (MAX_PREREQUISITE_FLAGS)');
    expect(await versionOf('ai-chatbot')).toBe(before);
  });

  it('evaluates a stored over-limit diamond in bounded work, and saves writes beside it', async () => {
    // An unrelated write in the same environment saves (and publishes what D1 holds).
    const res = await put('maintenance-mode', { enabled: true, defaultServe: { variant: 'off' } });
    expect(res.status).toBe(200);
    // Every l* flag needs ~3^(15-n) prerequisite evaluations without memoisation: seconds to hours.
    const { flags } = await until(
      () => evaluate(LOCAL_KEYS.server, { targetingKey: 'u', probe: 'yes' }),
      (r) => r.flags['l1-0'] !== undefined,
    );
    expect(flags['l1-0']).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const again = await evaluate(LOCAL_KEYS.server, { targetingKey: 'u', probe: 'yes' });
    expect(again.ms).toBeLessThan(1_000);
  });
});

describe('regexes on RE2 (item 11)', () => {
  it('lists stored rules that no longer validate, and answers PARSE_ERROR for that flag only', async () => {
    const res = await call('/api/v1/environments/development/problems', { key: A });
    expect(res.status).toBe(200);
    const { problems } = await json(res);
    expect(problems).toContainEqual({
      kind: 'flag',
      key: 'redesigned-dashboard',
      path: 'rules.0.conditions.0.values.0',
      message: expect.stringContaining('lookahead "(?!", which the linear-time regex engine (RE2) does not support'),
    });
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'flag', key: 'l1-0', path: 'prerequisites' }));
    const { flags } = await until(
      () => evaluate(LOCAL_KEYS.client, { targetingKey: 'u', email: 'ann@example.com' }),
      (r) => r.flags['redesigned-dashboard']?.reason === 'ERROR',
    );
    expect(flags['redesigned-dashboard']).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(flags['ai-chatbot'].reason).not.toBe('ERROR');
  });

  it('saves a segment beside a stored rule that no longer validates, and refuses a new one', async () => {
    const seg = (key: string) => `/api/v1/environments/development/segments/${key}`;
    const create = { 'If-None-Match': '*' };
    expect((await call(seg('pilots'), { method: 'PUT', key: A, headers: create, json: { included: ['u1'] } })).status).toBe(200);
    const bad = await call(seg('repliers'), {
      method: 'PUT',
      key: A,
      headers: create,
      json: { rules: [[{ attribute: 'email', op: 'matches', values: ['^(?=.*reply)'] }]] },
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await json(bad))).toContain('lookahead');
  });

  it('refuses a lookaround regex when it is saved, saying why, and saves nothing', async () => {
    const before = await versionOf('ai-chatbot');
    const res = await put('ai-chatbot', {
      enabled: true,
      rules: [{ conditions: [{ attribute: 'email', op: 'matches', values: ['(?<!no-)reply'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_request');
    expect(JSON.stringify(body.error)).toContain('lookbehind');
    expect(await versionOf('ai-chatbot')).toBe(before);
  });

  it('answers a pathological regex on a client-visible flag at once, for browsers and for the impact preview', async () => {
    // `(\w|\d)+` passed the old nested-quantifier check; 40 digits and a "!" take a backtracking engine hours.
    const rules = [{ conditions: [{ attribute: 'name', op: 'matches', values: ['^(\\w|\\d)+$'] }], serve: { variant: 'on' } }];
    expect((await put('new-pdf-engine', { enabled: true, rules, defaultServe: { variant: 'off' } })).status).toBe(200);
    const attack = { targetingKey: 'attacker', name: `${'1'.repeat(40)}!` };
    const { flags, ms } = await until(
      () => evaluate(LOCAL_KEYS.client, { targetingKey: 'fine', name: '1'.repeat(40) }),
      (r) => r.flags['new-pdf-engine']?.value === true,
    );
    expect(flags['new-pdf-engine']).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    expect(ms).toBeLessThan(1_000);
    const answer = await evaluate(LOCAL_KEYS.client, attack);
    expect(answer.flags['new-pdf-engine']).toMatchObject({ value: false, reason: 'DEFAULT' });
    expect(answer.ms).toBeLessThan(1_000);

    // The preview replays sampled contexts, which anyone can inject.
    await env.DB.prepare(
      `INSERT INTO recent_contexts (environment, context_key, context, seen_at, source) VALUES ('development', 'attacker', ?, ?, 'ip:test')`,
    )
      .bind(JSON.stringify(attack), Date.now())
      .run();
    const started = Date.now();
    const impact = await call(`${cfg('new-pdf-engine')}/impact`, {
      method: 'POST',
      key: A,
      json: { enabled: true, offVariant: 'off', rules, defaultServe: { variant: 'on' } },
    });
    expect(impact.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await json(impact)).examples).toContainEqual(
      expect.objectContaining({ contextKey: 'attacker', after: expect.objectContaining({ value: true }) }),
    );
  });

  it('bounds what one regex condition costs an anonymous browser, whatever list it sends', async () => {
    // 16 characters, 18 instructions, valid RE2: each character of input built a new DFA state with a
    // table per Unicode class, 25–170 ms per 1,024 characters; five rules and a 31 KB list of
    // random letters took about a second per evaluation.
    const rules = Array.from({ length: 5 }, (_, i) => ({
      conditions: [{ attribute: 'tags', op: 'matches', values: [`\\pL*a\\pL{1${i}}\\pN`] }],
      serve: { variant: 'on' },
    }));
    expect((await put('new-pdf-engine', { enabled: true, rules, defaultServe: { variant: 'off' } })).status).toBe(200);
    let seed = 7;
    const letter = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return (seed >> 16) & 1 ? 'a' : 'b';
    };
    const tags = Array.from({ length: 30 }, () => Array.from({ length: 1000 }, letter).join(''));
    // `a`, ten letters and a digit: the first rule, so the new rules are being served.
    const probe = { targetingKey: 'probe', tags: ['abbbbbbbbbb1'] };
    const served = await until(
      () => evaluate(LOCAL_KEYS.client, probe),
      (r) => r.flags['new-pdf-engine']?.reason === 'TARGETING_MATCH',
    );
    expect(served.flags['new-pdf-engine']).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    await evaluate(LOCAL_KEYS.client, { targetingKey: 'attacker', tags }); // compiles the flag
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { flags, ms } = await evaluate(LOCAL_KEYS.client, { targetingKey: 'attacker', tags });
      expect(flags['new-pdf-engine']).toMatchObject({ value: false, reason: 'DEFAULT' });
      timings.push(ms);
    }
    expect(Math.min(...timings)).toBeLessThan(300);
  });
});
