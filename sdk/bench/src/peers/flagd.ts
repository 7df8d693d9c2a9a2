import { FlagdCore } from '@openfeature/flagd-core';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';

/** OpenFeature's context type, taken from flagd-core's signature (`@openfeature/core` is only its peer). */
type EvaluationContext = NonNullable<Parameters<FlagdCore['resolveBooleanEvaluation']>[2]>;

/**
 * flagd's in-process evaluator (what the flagd in-process providers wrap), fed a flag
 * configuration string directly: there is no connection to a flagd daemon at all.
 * `fractional` with no explicit bucketing key hashes the flag key + targetingKey.
 */
const CONFIGURATION = JSON.stringify({
  flags: {
    [SIMPLE_FLAG]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    [ROLLOUT_FLAG]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          { in: [{ var: 'country' }, [...ROLLOUT_COUNTRIES]] },
          {
            fractional: [
              ['on', ROLLOUT_PERCENT],
              ['off', 100 - ROLLOUT_PERCENT],
            ],
          },
          'off',
        ],
      },
    },
  },
});

export const flagd: Sdk = {
  name: 'flagd-core',
  pkg: '@openfeature/flagd-core',
  async setup(users) {
    const core = new FlagdCore();
    core.setConfigurations(CONFIGURATION);
    const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (ctx) => core.resolveBooleanEvaluation(SIMPLE_FLAG, false, ctx).value,
      rollout: (ctx) => core.resolveBooleanEvaluation(ROLLOUT_FLAG, false, ctx).value,
    });
  },
};
