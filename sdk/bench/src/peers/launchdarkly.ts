import { basicLogger, init, type LDClient, type LDContext } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';

/** LaunchDarkly weights are in thousandths of a percent. */
const WEIGHT_SCALE = 1000;

/**
 * The rollout in LaunchDarkly's flag data model: a rule with an `in` clause on the user's
 * `country`, serving a percentage rollout bucketed by the context key; fallthrough off.
 * (TestData's builder has no rollouts, so the flag goes in preconfigured.)
 */
const ROLLOUT_FLAG_DATA = {
  key: ROLLOUT_FLAG,
  version: 1,
  on: true,
  variations: [true, false],
  offVariation: 1,
  fallthrough: { variation: 1 },
  targets: [],
  contextTargets: [],
  prerequisites: [],
  salt: ROLLOUT_FLAG,
  rules: [
    {
      id: 'us-gb',
      clauses: [{ contextKind: 'user', attribute: 'country', op: 'in', values: [...ROLLOUT_COUNTRIES], negate: false }],
      rollout: {
        variations: [
          { variation: 0, weight: ROLLOUT_PERCENT * WEIGHT_SCALE },
          { variation: 1, weight: (100 - ROLLOUT_PERCENT) * WEIGHT_SCALE },
        ],
      },
    },
  ],
};

let client: LDClient | undefined;

/**
 * Offline: the TestData integration is the data source (no streaming or polling connection),
 * `sendEvents: false` replaces the event processor with a no-op, and diagnostics are off.
 * `boolVariation` is `variation` with a boolean type check; it returns a promise, awaited per call.
 */
export const launchdarkly: Sdk = {
  name: 'launchdarkly',
  pkg: '@launchdarkly/node-server-sdk',
  async setup(users) {
    const td = new TestData();
    await td.update(td.flag(SIMPLE_FLAG).booleanFlag().variationForAll(true));
    await td.usePreconfiguredFlag(ROLLOUT_FLAG_DATA);
    const ld = init('sdk-offline-bench', {
      updateProcessor: td.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: 'warn' }),
    });
    client = ld;
    await ld.waitForInitialization({ timeout: 5 });
    const contexts: LDContext[] = users.map((u) => ({ kind: 'user', key: u.id, country: u.country }));
    return evaluators({
      mode: 'async',
      contexts,
      simple: (ctx) => ld.boolVariation(SIMPLE_FLAG, ctx, false),
      rollout: (ctx) => ld.boolVariation(ROLLOUT_FLAG, ctx, false),
    });
  },
  close() {
    client?.close();
  },
};
