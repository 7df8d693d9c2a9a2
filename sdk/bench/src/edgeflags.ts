import { type Condition, compileSnapshot, type EvaluationContext, type FlagDefinition, type Serve } from '@edgeflags/core';
import { ROLLOUT_COUNTRIES } from './contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from './flags.ts';
import { evaluators, type Sdk } from './sdk.ts';
import type { VariedFlag, VariedRule, VariedUser } from './varied.ts';

const BOOLEAN = { on: true, off: false };

/** The two flags in the wire format of `vectors.json`. */
export const EDGEFLAGS_FLAGS: FlagDefinition[] = [
  { key: SIMPLE_FLAG, kind: 'boolean', variants: BOOLEAN, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
  {
    key: ROLLOUT_FLAG,
    kind: 'boolean',
    variants: BOOLEAN,
    enabled: true,
    offVariant: 'off',
    rules: [
      {
        id: 'us-gb',
        conditions: [{ attribute: 'country', op: 'in', values: [...ROLLOUT_COUNTRIES] }],
        serve: {
          split: [
            { variant: 'on', weight: ROLLOUT_PERCENT },
            { variant: 'off', weight: 100 - ROLLOUT_PERCENT },
          ],
        },
      },
    ],
    defaultServe: { variant: 'off' },
  },
];

const percent = (on: number): Serve =>
  on >= 100
    ? { variant: 'on' }
    : on <= 0
      ? { variant: 'off' }
      : {
          split: [
            { variant: 'on', weight: on },
            { variant: 'off', weight: 100 - on },
          ],
        };

function conditions(rule: VariedRule): Condition[] {
  switch (rule.kind) {
    case 'planAndSeats':
      return [
        { attribute: 'plan', op: 'equals', values: [rule.plan] },
        { attribute: 'seats', op: 'gte', values: [rule.seats] },
      ];
    case 'gte':
    case 'semverGte':
      return [{ attribute: rule.attribute, op: rule.kind, values: [rule.value] }];
    default:
      return [{ attribute: rule.attribute, op: rule.kind, values: rule.values }];
  }
}

/** The varied flags (varied.ts) in the wire format. */
export function variedEdgeflags(flags: readonly VariedFlag[]): FlagDefinition[] {
  return flags.map((f) => ({
    key: f.key,
    kind: 'boolean',
    variants: BOOLEAN,
    enabled: true,
    offVariant: 'off',
    targets: f.targets.length ? [{ values: f.targets, variant: 'on' }] : [],
    rules: f.rule ? [{ conditions: conditions(f.rule), serve: percent(f.rulePercent) }] : [],
    defaultServe: percent(f.fallthroughPercent),
  }));
}

export const variedContext = (u: VariedUser): EvaluationContext => ({
  targetingKey: u.id,
  country: u.country,
  plan: u.plan,
  email: u.email,
  path: u.path,
  seats: u.seats,
  appVersion: u.appVersion,
});

export const edgeflags: Sdk = {
  name: 'edgeflags',
  pkg: '@edgeflags/core',
  async setup(users, varied = []) {
    const snapshot = compileSnapshot({ environment: 'bench', version: 1, flags: [...EDGEFLAGS_FLAGS, ...variedEdgeflags(varied)] });
    const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
    return evaluators({
      mode: 'sync',
      contexts,
      evaluateVaried: (u) => {
        const ctx = variedContext(u);
        for (const f of varied) snapshot.evaluate<boolean>(f.key, ctx, false);
      },
      simple: (ctx) => snapshot.evaluate<boolean>(SIMPLE_FLAG, ctx, false).value,
      rollout: (ctx) => snapshot.evaluate<boolean>(ROLLOUT_FLAG, ctx, false).value,
    });
  },
};
