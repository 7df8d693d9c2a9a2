import { once } from 'node:events';
import { type Context, InMemStorageProvider, Unleash, type UnleashConfig, UnleashEvents } from 'unleash-client';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';

type Feature = NonNullable<NonNullable<UnleashConfig['bootstrap']>['data']>[number];
type Constraint = NonNullable<Feature['strategies']>[number]['constraints'][number];

/** The `IN` constraint operator (a string enum that unleash-client does not export). */
const IN = 'IN' as Constraint['operator'];

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
  async setup(users) {
    const u = new Unleash({
      appName: 'edgeflags-bench',
      url: 'http://127.0.0.1:1/api/',
      refreshInterval: 0,
      disableMetrics: true,
      metricsInterval: 0,
      disableAutoStart: true,
      storageProvider: new InMemStorageProvider(),
      bootstrap: { data: FEATURES },
    });
    client = u;
    const ready = once(u, UnleashEvents.Ready);
    await u.start();
    await ready;
    const contexts: Context[] = users.map((user) => ({ userId: user.id, properties: { country: user.country } }));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (ctx) => u.isEnabled(SIMPLE_FLAG, ctx),
      rollout: (ctx) => u.isEnabled(ROLLOUT_FLAG, ctx),
    });
  },
  close() {
    client?.destroy();
  },
};
