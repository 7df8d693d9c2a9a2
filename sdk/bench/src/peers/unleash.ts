import { once } from 'node:events';
import { type Context, InMemStorageProvider, Unleash, type UnleashConfig, UnleashEvents } from 'unleash-client';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';
import type { VariedFlag, VariedRule } from '../varied.ts';

type Feature = NonNullable<NonNullable<UnleashConfig['bootstrap']>['data']>[number];
type Constraint = NonNullable<Feature['strategies']>[number]['constraints'][number];

/** The `IN` constraint operator (a string enum that unleash-client does not export). */
const IN = 'IN' as Constraint['operator'];
const op = (name: string) => name as Constraint['operator'];

function constraints(rule: VariedRule): Constraint[] {
  const c = (contextName: string, operator: string, more: Partial<Constraint>): Constraint =>
    ({ contextName, operator: op(operator), inverted: false, values: [], ...more }) as Constraint;
  switch (rule.kind) {
    case 'in':
      return [c(rule.attribute, 'IN', { values: rule.values })];
    case 'endsWith':
      return [c(rule.attribute, 'STR_ENDS_WITH', { values: rule.values })];
    case 'startsWith':
      return [c(rule.attribute, 'STR_STARTS_WITH', { values: rule.values })];
    case 'gte':
      return [c(rule.attribute, 'NUM_GTE', { value: String(rule.value) })];
    case 'semverGte':
      return [c(rule.attribute, 'SEMVER_GTE', { value: rule.value })];
    case 'planAndSeats':
      return [c('plan', 'IN', { values: [rule.plan] }), c('seats', 'NUM_GTE', { value: String(rule.seats) })];
  }
}

const rollout = (f: VariedFlag, percent: number, cs: Constraint[]) => ({
  name: 'flexibleRollout',
  parameters: { rollout: String(percent), stickiness: 'userId', groupId: f.key },
  constraints: cs,
});

/** The varied flags (varied.ts) as Unleash features: a userWithId strategy, a constrained rollout, an unconstrained one. */
export function variedUnleash(flags: readonly VariedFlag[]): Feature[] {
  return flags.map((f) => {
    const strategies: NonNullable<Feature['strategies']> = [];
    if (f.targets.length) strategies.push({ name: 'userWithId', parameters: { userIds: f.targets.join(',') }, constraints: [] });
    if (f.rule) strategies.push(rollout(f, f.rulePercent, constraints(f.rule)));
    if (f.fallthroughPercent > 0) strategies.push(rollout(f, f.fallthroughPercent, []));
    return { name: f.key, enabled: true, strategies };
  });
}

/**
 * The rollout is Unleash's `flexibleRollout` strategy with a `country IN (US, GB)` constraint,
 * sticky on userId; the simple flag has the `default` strategy (on for everyone).
 */
const FEATURES: Feature[] = [
  { name: SIMPLE_FLAG, enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [] }] },
  {
    name: ROLLOUT_FLAG,
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: 'userId', groupId: ROLLOUT_FLAG },
        constraints: [{ contextName: 'country', operator: IN, inverted: false, values: [...ROLLOUT_COUNTRIES] }],
      },
    ],
  },
];

let client: Unleash | undefined;

/**
 * Offline: features come from `bootstrap.data`; `refreshInterval: 0` makes the poller return
 * before its first fetch, metrics are off (no registration, no timer), and the backup lives in
 * memory instead of a file in the temp directory. The URL is required but never contacted.
 */
export const unleash: Sdk = {
  name: 'unleash',
  pkg: 'unleash-client',
  async setup(users, varied = []) {
    const u = new Unleash({
      appName: 'edgeflags-bench',
      url: 'http://127.0.0.1:1/api/',
      refreshInterval: 0,
      disableMetrics: true,
      metricsInterval: 0,
      disableAutoStart: true,
      storageProvider: new InMemStorageProvider(),
      bootstrap: { data: [...FEATURES, ...variedUnleash(varied)] },
    });
    client = u;
    const ready = once(u, UnleashEvents.Ready);
    await u.start();
    await ready;
    const contexts: Context[] = users.map((user) => ({ userId: user.id, properties: { country: user.country } }));
    return evaluators({
      mode: 'sync',
      contexts,
      evaluateVaried: (v) => {
        const { id, seats, ...rest } = v;
        const ctx: Context = { userId: id, properties: { ...rest, seats: String(seats) } };
        for (const f of varied) u.isEnabled(f.key, ctx);
      },
      simple: (ctx) => u.isEnabled(SIMPLE_FLAG, ctx),
      rollout: (ctx) => u.isEnabled(ROLLOUT_FLAG, ctx),
    });
  },
  close() {
    client?.destroy();
  },
};
