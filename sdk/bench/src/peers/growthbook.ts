import { type FeatureDefinitions, GrowthBookClient, type UserContext } from '@growthbook/growthbook';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';
import type { VariedFlag, VariedRule } from '../varied.ts';

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

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function condition(rule: VariedRule): Record<string, unknown> {
  switch (rule.kind) {
    case 'in':
      return { [rule.attribute]: { $in: rule.values } };
    case 'endsWith':
      return { [rule.attribute]: { $regex: `(${rule.values.map(escapeRegex).join('|')})$` } };
    case 'startsWith':
      return { [rule.attribute]: { $regex: `^(${rule.values.map(escapeRegex).join('|')})` } };
    case 'gte':
      return { [rule.attribute]: { $gte: rule.value } };
    case 'semverGte':
      return { [rule.attribute]: { $vgte: rule.value } };
    case 'planAndSeats':
      return { plan: rule.plan, seats: { $gte: rule.seats } };
  }
}

/** The varied flags (varied.ts) as GrowthBook features: targets, then the rule, then the fallthrough, each a forced rule with coverage. */
export function variedGrowthbook(flags: readonly VariedFlag[]): FeatureDefinitions {
  const out: FeatureDefinitions = {};
  for (const f of flags) {
    const rules: NonNullable<FeatureDefinitions[string]['rules']> = [];
    if (f.targets.length) rules.push({ condition: { id: { $in: f.targets } }, force: true });
    if (f.rule) rules.push({ condition: condition(f.rule) as never, force: true, coverage: f.rulePercent / 100, hashAttribute: 'id' });
    if (f.fallthroughPercent > 0) rules.push({ force: true, coverage: f.fallthroughPercent / 100, hashAttribute: 'id' });
    out[f.key] = { defaultValue: false, rules };
  }
  return out;
}

let client: GrowthBookClient | undefined;

export const growthbook: Sdk = {
  name: 'growthbook',
  pkg: '@growthbook/growthbook',
  async setup(users, varied = []) {
    const gb = new GrowthBookClient();
    client = gb;
    gb.initSync({ payload: { features: { ...FEATURES, ...variedGrowthbook(varied) } } });
    const contexts: UserContext[] = users.map((u) => ({ attributes: { id: u.id, country: u.country } }));
    return evaluators({
      mode: 'sync',
      contexts,
      evaluateVaried: (u) => {
        const ctx: UserContext = { attributes: { ...u } };
        for (const f of varied) gb.isOn(f.key, ctx);
      },
      simple: (ctx) => gb.isOn(SIMPLE_FLAG, ctx),
      rollout: (ctx) => gb.isOn(ROLLOUT_FLAG, ctx),
    });
  },
  close() {
    client?.destroy();
  },
};
