import { describe, expect, it } from 'vitest';
import type { FlagSummary, Lifecycle } from '../api/types.ts';
import { filterFlags, rolloutPercent, serveLabel } from './flag-status.ts';

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
    primaryMetric: null,
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

function lifecycle(state: Lifecycle['state']): Lifecycle {
  return {
    state,
    since: NOW - DAY,
    reason: state,
    phase: 'rolled_out',
    phaseSince: NOW - 40 * DAY,
    variant: 'on',
    atFull: true,
    lastEvaluatedAt: null,
    references: null,
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

  it('filters by search, tag, owner, type and the server’s lifecycle state in the chosen environment', () => {
    const a = summary({}, { lifecycle: lifecycle('stale') });
    const b = summary(
      { key: 'chat', name: 'Chat', description: '', tags: ['support'], owner: 'growth', type: 'ops' },
      { enabled: false, updatedAt: NOW, lifecycle: lifecycle('new') },
    );
    const base = { search: '', tag: '', owner: '', type: '', status: '' as const, environment: 'production' };
    expect(filterFlags([a, b], { ...base, search: 'engine' })).toEqual([a]);
    expect(filterFlags([a, b], { ...base, tag: 'support' })).toEqual([b]);
    expect(filterFlags([a, b], { ...base, owner: 'ravi' })).toEqual([a]);
    expect(filterFlags([a, b], { ...base, type: 'ops' })).toEqual([b]);
    expect(filterFlags([a, b], { ...base, status: 'off' })).toEqual([b]);
    expect(filterFlags([a, b], { ...base, status: 'stale' })).toEqual([a]);
    expect(filterFlags([a, b], { ...base, status: 'new' })).toEqual([b]);
    // No browser-side verdict: without the server's answer a flag matches no state.
    expect(filterFlags([summary({}, { lifecycle: undefined })], { ...base, status: 'stale' })).toEqual([]);
  });
});
