import { basicLogger, init, type LDClient, type LDContext } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';
import type { VariedFlag, VariedRule } from '../varied.ts';

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

const serve = (on: number) =>
  on >= 100
    ? { variation: 0 }
    : on <= 0
      ? { variation: 1 }
      : {
          rollout: {
            variations: [
              { variation: 0, weight: on * WEIGHT_SCALE },
              { variation: 1, weight: (100 - on) * WEIGHT_SCALE },
            ],
          },
        };

function clauses(rule: VariedRule) {
  const clause = (attribute: string, op: string, values: (string | number)[]) => ({
    contextKind: 'user',
    attribute,
    op,
    values,
    negate: false,
  });
  switch (rule.kind) {
    case 'in':
    case 'endsWith':
    case 'startsWith':
      return [clause(rule.attribute, rule.kind, rule.values)];
    case 'gte':
      return [clause(rule.attribute, 'greaterThanOrEqual', [rule.value])];
    case 'semverGte':
      // LaunchDarkly has no "greater or equal" on versions; greater-than is the same work.
      return [clause(rule.attribute, 'semVerGreaterThan', [rule.value])];
    case 'planAndSeats':
      return [clause('plan', 'in', [rule.plan]), clause('seats', 'greaterThanOrEqual', [rule.seats])];
  }
}

/** The varied flags (varied.ts) in LaunchDarkly's flag data model. */
export function variedLaunchDarkly(flags: readonly VariedFlag[]) {
  return flags.map((f) => ({
    key: f.key,
    version: 1,
    on: true,
    variations: [true, false],
    offVariation: 1,
    fallthrough: serve(f.fallthroughPercent),
    targets: f.targets.length ? [{ values: f.targets, variation: 0 }] : [],
    contextTargets: [],
    prerequisites: [],
    salt: f.key,
    rules: f.rule ? [{ id: 'rule', clauses: clauses(f.rule), ...serve(f.rulePercent) }] : [],
  }));
}

let client: LDClient | undefined;

/**
 * Offline: the TestData integration is the data source (no streaming or polling connection),
 * `sendEvents: false` replaces the event processor with a no-op, and diagnostics are off.
 * `boolVariation` is `variation` with a boolean type check; it returns a promise, awaited per call.
 */
export const launchdarkly: Sdk = {
  name: 'launchdarkly',
  pkg: '@launchdarkly/node-server-sdk',
  async setup(users, varied = []) {
    const td = new TestData();
    for (const flag of variedLaunchDarkly(varied)) await td.usePreconfiguredFlag(flag);
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
      evaluateVaried: async (u) => {
        const ctx: LDContext = { kind: 'user', key: u.id, ...u };
        for (const f of varied) await ld.boolVariation(f.key, ctx, false);
      },
      simple: (ctx) => ld.boolVariation(SIMPLE_FLAG, ctx, false),
      rollout: (ctx) => ld.boolVariation(ROLLOUT_FLAG, ctx, false),
    });
  },
  close() {
    client?.close();
  },
};
