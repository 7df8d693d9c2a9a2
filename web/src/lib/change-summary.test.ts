import { describe, expect, it } from 'vitest';
import { config } from '../../test/unit/fake-session.tsx';
import { configChanges, segmentChanges, variantChanges } from './change-summary.ts';
import { draftOf } from './config-draft.ts';

describe('change summaries', () => {
  it('says what a configuration change does in the editor’s words, and nothing for an unchanged one', () => {
    const before = draftOf(config('production', { enabled: true }));
    expect(configChanges(before, before)).toEqual([]);
    const after = {
      ...before,
      targets: [{ values: ['u1', 'u2'], variant: 'on' }],
      defaultServe: {
        split: [
          { variant: 'on', weight: 10 },
          { variant: 'off', weight: 90 },
        ],
      },
      bucketBy: 'accountId',
    };
    expect(configChanges(before, after)).toEqual([
      { label: 'Targets 1', before: '—', after: 'targetingKey u1, u2 → on' },
      { label: 'Default rule', before: 'off', after: '10% on' },
      { label: 'Bucket by', before: 'targetingKey', after: 'accountId' },
    ]);
  });

  it('names variants added, removed and given a new value', () => {
    expect(variantChanges({ a: 1, b: 2 }, { a: 1, b: 3, c: 4 })).toEqual([
      { label: 'Variant b', before: '2', after: '3' },
      { label: 'Variant c', before: '(new)', after: '4' },
    ]);
    expect(variantChanges({ a: 1, b: 2 }, { a: 1 })).toEqual([{ label: 'Variant b', before: '2', after: '(removed)' }]);
  });

  it('counts segment members and says which were added or removed', () => {
    const seg = (included: string[]) => ({ name: 'Beta', description: '', definition: { included } });
    expect(segmentChanges(seg(['a', 'b']), seg(['b', 'c', 'd']))).toEqual([
      { label: 'Included', before: '2 values', after: '3 values (added c, d; removed a)' },
    ]);
  });
});
