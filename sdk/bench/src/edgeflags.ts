import { compileSnapshot, type EvaluationContext, type FlagDefinition } from '@edgeflags/core';
import { ROLLOUT_COUNTRIES } from './contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from './flags.ts';
import { evaluators, type Sdk } from './sdk.ts';

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

export const edgeflags: Sdk = {
  name: 'edgeflags',
  pkg: '@edgeflags/core',
  async setup(users) {
    const snapshot = compileSnapshot({ environment: 'bench', version: 1, flags: EDGEFLAGS_FLAGS });
    const contexts: EvaluationContext[] = users.map((u) => ({ targetingKey: u.id, country: u.country }));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (ctx) => snapshot.evaluate<boolean>(SIMPLE_FLAG, ctx, false).value,
      rollout: (ctx) => snapshot.evaluate<boolean>(ROLLOUT_FLAG, ctx, false).value,
    });
  },
};
