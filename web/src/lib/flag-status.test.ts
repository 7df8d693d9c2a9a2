import { describe, expect, it } from 'vitest';
import type { FlagSummary } from '../api/types.ts';
import { filterFlags, isExpired, isStale, rolloutPercent, serveLabel } from './flag-status.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T12:00:00Z');

function summary(over: Partial<FlagSummary> = {}, env: Partial<FlagSummary['environments'][string]> = {}): FlagSummary {
  return {
    key: 'pdf',
    kind: 'boolean',
    variants: { on: true, off: false },
    name: 'PDF',
    description: 'new engine',
    tags: ['billing'],
    owner: 'ravi',
    type: 'release',
    expiresAt: null,
    links: [],
    clientVisible: false,
    protectiveState: 'off',
    version: 1,
    archivedAt: null,
    createdAt: 0,
    updatedAt: NOW - 40 * DAY,
    environments: {
      production: {
        enabled: true,
        version: 1,
        offVariant: 'off',
        defaultServe: { variant: 'on' },
        rules: 0,
        targets: 0,
        prerequisites: 0,
        updatedAt: NOW - 40 * DAY,
        ...env,
      },
    },
    ...over,
  };
}

describe('flag status', () => {
  it('reads the rollout percentage of the first non-off variant', () => {
    expect(
      rolloutPercent(
        {
          split: [
            { variant: 'on', weight: 25 },
            { variant: 'off', weight: 75 },
          ],
        },
        'off',
      ),
    ).toBe(25);
    expect(rolloutPercent({ variant: 'off' }, 'off')).toBe(0);
    expect(rolloutPercent({ variant: 'on' }, 'off')).toBe(100);
    expect(
      rolloutPercent(
        {
          split: [
            { variant: 'a', weight: 50 },
            { variant: 'b', weight: 30 },
            { variant: 'off', weight: 20 },
          ],
        },
        'off',
      ),
    ).toBeUndefined();
  });

  it('labels splits as a percentage or as weights', () => {
    expect(
      serveLabel(
        {
          split: [
            { variant: 'on', weight: 5 },
            { variant: 'off', weight: 95 },
          ],
        },
        'off',
      ),
    ).toBe('5% on');
    expect(
      serveLabel(
        {
          split: [
            { variant: 'a', weight: 50 },
            { variant: 'b', weight: 30 },
            { variant: 'c', weight: 20 },
          ],
        },
        'c',
      ),
    ).toBe('a 50 · b 30 · c 20');
  });

  it('marks a flag expired only after its expiry date', () => {
    expect(isExpired({ expiresAt: '2026-11-20' }, NOW)).toBe(true);
    expect(isExpired({ expiresAt: '2026-11-21' }, NOW)).toBe(false);
    expect(isExpired({ expiresAt: null }, NOW)).toBe(false);
  });

  it('calls a flag stale when untouched for two weeks and fully rolled out, never mid-rollout', () => {
    expect(isStale(summary(), NOW)).toBe(true);
    expect(isStale(summary({}, { updatedAt: NOW - DAY }), NOW)).toBe(false);
    expect(
      isStale(
        summary(
          {},
          {
            defaultServe: {
              split: [
                { variant: 'on', weight: 50 },
                { variant: 'off', weight: 50 },
              ],
            },
          },
        ),
        NOW,
      ),
    ).toBe(false);
  });

  it('filters by search, tag, owner, type and status in the chosen environment', () => {
    const a = summary();
    const b = summary(
      { key: 'chat', name: 'Chat', description: '', tags: ['support'], owner: 'growth', type: 'ops' },
      { enabled: false, updatedAt: NOW },
    );
    const base = { search: '', tag: '', owner: '', type: '', status: '' as const, environment: 'production' };
    expect(filterFlags([a, b], { ...base, search: 'engine' }, NOW)).toEqual([a]);
    expect(filterFlags([a, b], { ...base, tag: 'support' }, NOW)).toEqual([b]);
    expect(filterFlags([a, b], { ...base, owner: 'ravi' }, NOW)).toEqual([a]);
    expect(filterFlags([a, b], { ...base, type: 'ops' }, NOW)).toEqual([b]);
    expect(filterFlags([a, b], { ...base, status: 'off' }, NOW)).toEqual([b]);
    expect(filterFlags([a, b], { ...base, status: 'stale' }, NOW)).toEqual([a]);
  });
});
