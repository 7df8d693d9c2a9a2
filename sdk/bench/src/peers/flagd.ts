import { FlagdCore } from '@openfeature/flagd-core';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';
import type { VariedFlag, VariedRule } from '../varied.ts';

/** OpenFeature's context type, taken from flagd-core's signature (`@openfeature/core` is only its peer). */
type EvaluationContext = NonNullable<Parameters<FlagdCore['resolveBooleanEvaluation']>[2]>;

/**
 * flagd's in-process evaluator (what the flagd in-process providers wrap), fed a flag
 * configuration string directly: there is no connection to a flagd daemon at all.
 * `fractional` with no explicit bucketing key hashes the flag key + targetingKey.
 */
const FLAGS = {
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
};

const split = (on: number): unknown =>
  on >= 100
    ? 'on'
    : on <= 0
      ? 'off'
      : {
          fractional: [
            ['on', on],
            ['off', 100 - on],
          ],
        };

function logic(rule: VariedRule): unknown {
  const v = (name: string) => ({ var: name });
  switch (rule.kind) {
    case 'in':
      return { in: [v(rule.attribute), rule.values] };
    case 'endsWith':
      return { or: rule.values.map((s) => ({ ends_with: [v(rule.attribute), s] })) };
    case 'startsWith':
      return { or: rule.values.map((s) => ({ starts_with: [v(rule.attribute), s] })) };
    case 'gte':
      return { '>=': [v(rule.attribute), rule.value] };
    case 'semverGte':
      return { sem_ver: [v(rule.attribute), '>=', rule.value] };
    case 'planAndSeats':
      return { and: [{ '==': [v('plan'), rule.plan] }, { '>=': [v('seats'), rule.seats] }] };
  }
}

/** The varied flags (varied.ts) as flagd flag definitions (JsonLogic targeting). */
export function variedFlagd(flags: readonly VariedFlag[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    let targeting = split(f.fallthroughPercent);
    if (f.rule) targeting = { if: [logic(f.rule), split(f.rulePercent), targeting] };
    if (f.targets.length) targeting = { if: [{ in: [{ var: 'targetingKey' }, f.targets] }, 'on', targeting] };
    out[f.key] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting };
  }
  return out;
}

export const flagd: Sdk = {
  name: 'flagd-core',
  pkg: '@openfeature/flagd-core',
  async setup(users, varied = []) {
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify({ flags: { ...FLAGS, ...variedFlagd(varied) } }));
    const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
    return evaluators({
      mode: 'sync',
      contexts,
      evaluateVaried: (u) => {
        const ctx: EvaluationContext = { targetingKey: u.id, ...u };
        for (const f of varied) core.resolveBooleanEvaluation(f.key, false, ctx);
      },
      simple: (ctx) => core.resolveBooleanEvaluation(SIMPLE_FLAG, false, ctx).value,
      rollout: (ctx) => core.resolveBooleanEvaluation(ROLLOUT_FLAG, false, ctx).value,
    });
  },
};
