import { describe, expect, it } from 'vitest';
import { rolloutNow } from './rollout-now.ts';

const base = { enabled: true, offVariant: 'off', defaultServe: { variant: 'off' }, rules: [], targets: [], prerequisites: [] };

// Issue 12 §4 "Summaries tell the truth".
describe('rolloutNow', () => {
  it('does not say "0% get on" alone when a rule serves on to some users', () => {
    const rule = { conditions: [{ attribute: 'plan', op: 'in', values: ['free'] }], serve: { variant: 'on' } };
    const text = rolloutNow({ ...base, rules: [rule] }, 'on');
    expect(text).toBe('Now: users matching 1 rule get what the rule serves; of everyone else, 0% get on.');
    expect(text).not.toMatch(/^Now: 0% get on/);
  });

  it('does not say "100% get on" for a flag that is off here', () => {
    const text = rolloutNow({ ...base, enabled: false, defaultServe: { variant: 'on' } }, 'on');
    expect(text).toBe('Off here: everyone gets off. Once it is on: 100% get on.');
  });

  it('names prerequisites and target lists before the default rule', () => {
    const split = {
      split: [
        { variant: 'on', weight: 25 },
        { variant: 'off', weight: 75 },
      ],
    };
    expect(rolloutNow({ ...base, defaultServe: split, prerequisites: [{}], targets: [{}, {}] }, 'on')).toBe(
      "Now: users failing 1 prerequisite get off; users in 2 target lists get that list's variant; of everyone else, 25% get on.",
    );
    expect(rolloutNow({ ...base, defaultServe: split }, 'on')).toBe('Now: 25% get on.');
  });
});
