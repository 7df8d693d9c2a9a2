import { type FeatureDefinitions, GrowthBookClient, type UserContext } from '@growthbook/growthbook';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';

/**
 * GrowthBook's multi-user client (one instance, a UserContext per call), loaded with `initSync`
 * from an inline payload: no clientKey, no streaming, no polling, so nothing to fetch.
 * The rollout is GrowthBook's own "percentage rollout" rule: a condition, `force`, and `coverage`.
 */
const FEATURES: FeatureDefinitions = {
  [SIMPLE_FLAG]: { defaultValue: true },
  [ROLLOUT_FLAG]: {
    defaultValue: false,
    rules: [
      {
        id: 'us-gb',
        condition: { country: { $in: [...ROLLOUT_COUNTRIES] } },
        force: true,
        coverage: ROLLOUT_PERCENT / 100,
        hashAttribute: 'id',
      },
    ],
  },
};

let client: GrowthBookClient | undefined;

export const growthbook: Sdk = {
  name: 'growthbook',
  pkg: '@growthbook/growthbook',
  async setup(users) {
    const gb = new GrowthBookClient();
    client = gb;
    gb.initSync({ payload: { features: FEATURES } });
    const contexts: UserContext[] = users.map((u) => ({ attributes: { id: u.id, country: u.country } }));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (ctx) => gb.isOn(SIMPLE_FLAG, ctx),
      rollout: (ctx) => gb.isOn(ROLLOUT_FLAG, ctx),
    });
  },
  close() {
    client?.destroy();
  },
};
