import { describe, expect, it } from 'vitest';
import { DAY_MS, lifecyclePolicy } from './lifecycle-policy.ts';
import { type ConfigFacts, deriveLifecycle, type Evidence, nextPhase, type PhaseRecord } from './lifecycle-state.ts';

const NOW = Date.UTC(2026, 10, 30);
const policy = lifecyclePolicy();
const facts = (f: Partial<ConfigFacts>): ConfigFacts => ({
  enabled: true,
  offVariant: 'off',
  constantVariant: 'on',
  updatedAt: NOW - DAY_MS,
  flagCreatedAt: NOW - 100 * DAY_MS,
  ...f,
});
const rolledOut = (days: number): PhaseRecord => ({ phase: 'rolled_out', since: NOW - days * DAY_MS, variant: 'on' });
const evidence = (e: Partial<Evidence> = {}): Evidence => ({ lastEvaluatedAt: NOW - DAY_MS, references: null, referencesAt: null, ...e });
const release = { type: 'release' as const, expiresAt: null, archivedAt: null };
const on = { enabled: true, offVariant: 'off' };

describe('nextPhase', () => {
  it('keeps a never-enabled flag new, dated from its creation', () => {
    expect(nextPhase(undefined, facts({ enabled: false, constantVariant: 'off' }))).toEqual({
      phase: 'new',
      since: NOW - 100 * DAY_MS,
      variant: null,
    });
  });

  it('keeps the date while the answer for everyone stays the same', () => {
    const prev = rolledOut(40);
    expect(nextPhase(prev, facts({ updatedAt: NOW }))).toBe(prev);
  });

  it('dates a new phase from the config write that caused it', () => {
    expect(nextPhase(rolledOut(40), facts({ constantVariant: undefined, updatedAt: NOW - 2 * DAY_MS }))).toEqual({
      phase: 'rolling_out',
      since: NOW - 2 * DAY_MS,
      variant: null,
    });
  });

  it('treats a flag switched off after being live as rolled out to its off variant', () => {
    expect(nextPhase(rolledOut(40), facts({ enabled: false, constantVariant: 'off', updatedAt: NOW }))).toMatchObject({
      phase: 'rolled_out',
      variant: 'off',
      since: NOW,
    });
  });
});

describe('deriveLifecycle', () => {
  it('calls a flag rolled out past its lifetime stale, from the day the lifetime ran out', () => {
    expect(deriveLifecycle(release, rolledOut(20), on, evidence(), policy, NOW)).toMatchObject({
      state: 'stale',
      since: NOW - 6 * DAY_MS,
      atFull: true,
    });
  });

  it('says unknown, not stale, without evaluation data', () => {
    expect(deriveLifecycle(release, rolledOut(20), on, evidence({ lastEvaluatedAt: null }), policy, NOW).state).toBe('unknown');
  });

  it('never calls ops or permission flags stale', () => {
    for (const type of ['ops', 'permission'] as const)
      expect(
        deriveLifecycle({ ...release, type }, rolledOut(200), on, evidence({ lastEvaluatedAt: NOW - 90 * DAY_MS }), policy, NOW).state,
      ).toBe('rolled_out');
  });

  it('calls a flag nobody evaluated for 30 days stale, whatever it serves', () => {
    const rolling: PhaseRecord = { phase: 'rolling_out', since: NOW - 90 * DAY_MS, variant: null };
    expect(deriveLifecycle(release, rolling, on, evidence({ lastEvaluatedAt: NOW - 31 * DAY_MS }), policy, NOW)).toMatchObject({
      state: 'stale',
      since: NOW - DAY_MS,
    });
  });

  it('is ready to remove once pushed references show no code reads it; unknown references never say so', () => {
    const refs = evidence({ references: 0, referencesAt: NOW - 2 * DAY_MS });
    expect(deriveLifecycle(release, rolledOut(3), on, refs, policy, NOW)).toMatchObject({
      state: 'ready_to_remove',
      since: NOW - 2 * DAY_MS,
    });
    expect(deriveLifecycle(release, rolledOut(3), on, evidence({ references: 2 }), policy, NOW).state).toBe('rolled_out');
    expect(deriveLifecycle(release, rolledOut(3), on, evidence(), policy, NOW).state).toBe('rolled_out');
  });

  it('puts archived and expired before the rollout', () => {
    expect(deriveLifecycle({ ...release, archivedAt: NOW - 5 }, rolledOut(3), on, evidence(), policy, NOW).state).toBe('archived');
    expect(deriveLifecycle({ ...release, expiresAt: '2026-11-28' }, rolledOut(3), on, evidence(), policy, NOW)).toMatchObject({
      state: 'expired',
      since: Date.UTC(2026, 10, 29),
    });
    expect(deriveLifecycle({ ...release, expiresAt: '2026-11-30' }, rolledOut(3), on, evidence(), policy, NOW).state).toBe('rolled_out');
  });
});
