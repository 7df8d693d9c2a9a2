import { describe, expect, it } from 'vitest';
import { parseValues } from './config-draft.ts';
import { diff } from './diff.ts';

describe('diff', () => {
  it('lists changed leaves by path and ignores equal ones', () => {
    const before = { enabled: true, defaultServe: { split: [{ variant: 'on', weight: 5 }] }, rules: [] };
    const after = { enabled: false, defaultServe: { split: [{ variant: 'on', weight: 25 }] }, rules: [] };
    expect(diff(before, after)).toEqual([
      { path: 'enabled', before: true, after: false },
      { path: 'defaultServe.split.0.weight', before: 5, after: 25 },
    ]);
  });
});

describe('parseValues', () => {
  it('splits lists, keeps single values whole and makes numbers for numeric operators', () => {
    expect(parseValues('US, GB,', 'in')).toEqual(['US', 'GB']);
    expect(parseValues('a, b', 'matches')).toEqual(['a, b']);
    expect(parseValues('200', 'gt')).toEqual([200]);
    expect(parseValues('many', 'gt')).toEqual(['many']);
    expect(parseValues('x', 'exists')).toEqual([]);
  });
});
