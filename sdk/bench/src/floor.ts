import { isRolloutCountry } from './contexts.ts';
import { ROLLOUT_FLAG, SIMPLE_FLAG } from './flags.ts';
import { evaluators, type Sdk } from './sdk.ts';

/** One user's flags, evaluated ahead of time. */
type Evaluated = Readonly<Record<string, boolean>>;

/**
 * The floor: reading an already-evaluated value out of a plain object. What's left is the cost
 * of the harness itself (loop, context load, call, sink); no evaluator can go below it. The
 * values only need the right shape (every other US/GB user on), so no evaluator computes them:
 * running edgeflags here would feed its call sites a second snapshot before it is timed.
 */
export const floor: Sdk = {
  name: 'floor (object lookup)',
  pkg: '',
  async setup(users) {
    let eligible = 0;
    const contexts: Evaluated[] = users.map((u) => ({
      [SIMPLE_FLAG]: true,
      [ROLLOUT_FLAG]: isRolloutCountry(u) && eligible++ % 2 === 0,
    }));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (values) => values[SIMPLE_FLAG] === true,
      rollout: (values) => values[ROLLOUT_FLAG] === true,
    });
  },
};
