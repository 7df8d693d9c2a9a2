import {
  ClientCacheState,
  createConsoleLogger,
  getClient,
  type IConfigCatClient,
  LogLevel,
  PollingMode,
  SettingType,
  User,
  UserComparator,
} from 'configcat-node';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';
import type { VariedFlag, VariedRule, VariedUser } from '../varied.ts';

/**
 * Both flags as a ConfigCat config JSON (schema v6, what the CDN serves): the rollout is a
 * targeting rule `Country IS ONE OF (US, GB)` whose THEN is a 50/50 percentage option split
 * (hashed on the user identifier); everyone else gets the flag's value, false.
 */
const CONFIG = {
  p: { r: 0, u: 'https://cdn-global.configcat.com', s: 'bench-salt' },
  f: {
    [SIMPLE_FLAG]: { t: SettingType.Boolean, v: { b: true }, i: 'simple-on' },
    [ROLLOUT_FLAG]: {
      t: SettingType.Boolean,
      v: { b: false },
      i: 'rollout-off',
      r: [
        {
          c: [{ u: { a: 'Country', c: UserComparator.TextIsOneOf, l: [...ROLLOUT_COUNTRIES] } }],
          p: [
            { p: ROLLOUT_PERCENT, v: { b: true }, i: 'rollout-on' },
            { p: 100 - ROLLOUT_PERCENT, v: { b: false }, i: 'rollout-off' },
          ],
        },
      ],
    },
  },
};

/** A serve of `on`% true: a fixed value, or percentage options hashed on the identifier. */
const serve = (on: number, id: string) =>
  on >= 100 || on <= 0
    ? { s: { v: { b: on >= 100 }, i: `${id}-${on}` } }
    : {
        p: [
          { p: on, v: { b: true }, i: `${id}-on` },
          { p: 100 - on, v: { b: false }, i: `${id}-off` },
        ],
      };

function conditions(rule: VariedRule) {
  const attr: Record<string, string> = { country: 'Country', email: 'Email' };
  const u = (a: string, c: UserComparator, value: Record<string, unknown>) => ({ u: { a: attr[a] ?? a, c, ...value } });
  switch (rule.kind) {
    case 'in':
      return [u(rule.attribute, UserComparator.TextIsOneOf, { l: rule.values })];
    case 'endsWith':
      return [u(rule.attribute, UserComparator.TextEndsWithAnyOf, { l: rule.values })];
    case 'startsWith':
      return [u(rule.attribute, UserComparator.TextStartsWithAnyOf, { l: rule.values })];
    case 'gte':
      return [u(rule.attribute, UserComparator.NumberGreaterOrEquals, { d: rule.value })];
    case 'semverGte':
      return [u(rule.attribute, UserComparator.SemVerGreaterOrEquals, { s: rule.value })];
    case 'planAndSeats':
      return [u('plan', UserComparator.TextEquals, { s: rule.plan }), u('seats', UserComparator.NumberGreaterOrEquals, { d: rule.seats })];
  }
}

/** The varied flags (varied.ts) as config JSON v6 settings: a targets rule, the rule, then the flag's own value or percentage options. */
export function variedConfigcat(flags: readonly VariedFlag[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const r: unknown[] = [];
    if (f.targets.length) r.push({ c: [{ u: { a: 'Identifier', c: UserComparator.TextIsOneOf, l: f.targets } }], ...serve(100, f.key) });
    if (f.rule) r.push({ c: conditions(f.rule), ...serve(f.rulePercent, `${f.key}-rule`) });
    const fall = serve(f.fallthroughPercent, f.key);
    out[f.key] = { t: SettingType.Boolean, i: `${f.key}-off`, r, ...(fall.s ? { v: fall.s.v } : { v: { b: false }, p: fall.p }) };
  }
  return out;
}

const variedUser = (u: VariedUser) =>
  new User(u.id, u.email, u.country, { plan: u.plan, path: u.path, seats: u.seats, appVersion: u.appVersion });

/** A syntactically valid SDK key; in offline mode it is only a cache key. */
const SDK_KEY = 'configcat-sdk-1/edgeflags-bench-config/offline-no-cdn-fetches';

let client: IConfigCatClient | undefined;

/**
 * Offline: `offline: true` with manual polling never fetches; the config JSON is served by a
 * custom cache in ConfigCat's serialized form (`fetchTime \n etag \n json`), exactly as a
 * shared cache would hold it. Map-based `flagOverrides` (LocalOnly) cannot express targeting
 * rules or percentage options, hence the cache. Evaluation uses the synchronous snapshot API,
 * the SDK's fastest path, on one snapshot taken after the config loaded.
 */
export const configcat: Sdk = {
  name: 'configcat',
  pkg: 'configcat-node',
  async setup(users, varied = []) {
    const json = JSON.stringify({ ...CONFIG, f: { ...CONFIG.f, ...variedConfigcat(varied) } });
    const serialized = `${Date.now()}\n\n${json}`;
    const cc = getClient(SDK_KEY, PollingMode.ManualPoll, {
      offline: true,
      logger: createConsoleLogger(LogLevel.Warn),
      cache: { get: () => serialized, set: () => {} },
    });
    client = cc;
    const state = await cc.waitForReady();
    if (state !== ClientCacheState.HasCachedFlagDataOnly) {
      throw new Error(`configcat: expected the cached config, cache state is ${ClientCacheState[state]}`);
    }
    const snapshot = cc.snapshot();
    const contexts = users.map((u) => new User(u.id, undefined, u.country));
    return evaluators({
      mode: 'sync',
      contexts,
      evaluateVaried: (u) => {
        const user = variedUser(u);
        for (const f of varied) snapshot.getValue(f.key, false, user);
      },
      simple: (user) => snapshot.getValue(SIMPLE_FLAG, false, user),
      rollout: (user) => snapshot.getValue(ROLLOUT_FLAG, false, user),
    });
  },
  close() {
    client?.dispose();
  },
};
