import { compileSnapshot } from '@edgeflags/core';
import { EDGEFLAGS_FLAGS } from './edgeflags.ts';
import { ROLLOUT_FLAG, SIMPLE_FLAG } from './flags.ts';
import { evaluators, type Sdk } from './sdk.ts';

/** Every user's flags, evaluated ahead of time. */
type Evaluated = Readonly<Record<string, boolean>>;

/**
 * The floor: reading an already-evaluated value out of a plain object. What's left is the cost
 * of the harness itself (loop, context load, call, sink); no evaluator can go below it.
 */
export const floor: Sdk = {
  name: 'floor (object lookup)',
  pkg: '',
  async setup(users) {
    const snapshot = compileSnapshot({ environment: 'bench', version: 1, flags: EDGEFLAGS_FLAGS });
    const contexts: Evaluated[] = users.map((u) => {
      const ctx = { targetingKey: u.id, country: u.country };
      return {
        [SIMPLE_FLAG]: snapshot.evaluate<boolean>(SIMPLE_FLAG, ctx, false).value,
        [ROLLOUT_FLAG]: snapshot.evaluate<boolean>(ROLLOUT_FLAG, ctx, false).value,
      };
    });
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (values) => values[SIMPLE_FLAG] === true,
      rollout: (values) => values[ROLLOUT_FLAG] === true,
    });
  },
};
