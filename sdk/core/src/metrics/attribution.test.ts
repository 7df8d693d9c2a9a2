import { describe, expect, it } from 'vitest';
import { compileSnapshot } from '../snapshot.ts';
import type { Snapshot } from '../types.ts';
import { countsForRelease } from './attribution.ts';

const snapshot: Snapshot = {
  environment: 'production',
  version: 1,
  flags: [
    {
      key: 'new-pdf-engine',
      kind: 'boolean',
      enabled: true,
      variants: { on: true, off: false },
      offVariant: 'off',
      targets: [{ attribute: 'accountId', variant: 'on', values: ['acct-internal'] }],
      rules: [{ conditions: [{ attribute: 'plan', op: 'equals', values: ['staff'] }], serve: { variant: 'on' } }],
      defaultServe: {
        split: [
          { variant: 'on', weight: 5 },
          { variant: 'off', weight: 95 },
        ],
        bucketBy: 'accountId',
      },
    },
    {
      key: 'off-flag',
      kind: 'boolean',
      enabled: false,
      variants: { on: true, off: false },
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    {
      key: 'fixed',
      kind: 'boolean',
      enabled: true,
      variants: { on: true, off: false },
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
};
const flags = compileSnapshot(snapshot);

describe('countsForRelease', () => {
  it('counts what the default rule serves: both sides of the rollout split, and a fixed default', () => {
    const served = Array.from({ length: 400 }, (_, i) => flags.evaluate('new-pdf-engine', { accountId: `acct-${i}` }, false));
    expect(new Set(served.map((r) => r.variant))).toEqual(new Set(['on', 'off']));
    expect(served.every(countsForRelease)).toBe(true);
    expect(countsForRelease(flags.evaluate('fixed', { accountId: 'acct-1' }, false))).toBe(true);
  });

  it('leaves out rule and target matches, a flag that is off, and errors', () => {
    expect(countsForRelease(flags.evaluate('new-pdf-engine', { accountId: 'acct-1', plan: 'staff' }, false))).toBe(false);
    expect(countsForRelease(flags.evaluate('new-pdf-engine', { accountId: 'acct-internal' }, false))).toBe(false);
    expect(countsForRelease(flags.evaluate('off-flag', { accountId: 'acct-1' }, false))).toBe(false);
    expect(countsForRelease(flags.evaluate('missing', { accountId: 'acct-1' }, false))).toBe(false);
  });
});
