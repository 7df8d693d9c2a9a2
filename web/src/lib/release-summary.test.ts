import { describe, expect, it } from 'vitest';
import { NOW, plan } from '../../test/unit/fake-release.ts';
import { duration, releaseSummary } from './release-summary.ts';

const HOUR = 3_600_000;

describe('releaseSummary', () => {
  it('says the stage, the health and when the next stage may come, as the flags list shows it', () => {
    expect(releaseSummary(plan(), NOW)).toBe('stage 2 of 4 · healthy · next in 3 h');
  });

  it('names the rule holding a plan back', () => {
    expect(releaseSummary({ ...plan(), lastDecision: { action: 'hold', rule: 'latency_p95_ratio', at: NOW } }, NOW)).toBe(
      'stage 2 of 4 · holding (latency_p95_ratio) · next in 3 h',
    );
  });

  it('calls a hold for the minimum time healthy, and one for samples gathering data', () => {
    const held = (rule: string) => releaseSummary({ ...plan(), lastDecision: { action: 'hold', rule, at: NOW } }, NOW);
    expect(held('min_duration')).toBe('stage 2 of 4 · healthy · next in 3 h');
    expect(held('min_samples')).toBe('stage 2 of 4 · gathering data · next in 3 h');
    expect(held('error_ratio_undecided')).toBe('stage 2 of 4 · gathering data · next in 3 h');
  });

  it('takes the time the API says the stage may advance', () => {
    expect(releaseSummary({ ...plan(), nextAt: NOW + 90_000 }, NOW)).toBe('stage 2 of 4 · healthy · next in 2 min');
  });

  it('once the minimum time has passed, the next stage waits on the checks alone', () => {
    expect(releaseSummary(plan({ stageStartedAt: NOW - 5 * HOUR }), NOW)).toBe('stage 2 of 4 · healthy · next when checks pass');
  });

  it('says a plan waits for a person, is paused, or has ended', () => {
    expect(releaseSummary(plan({ status: 'waiting_approval' }), NOW)).toBe('stage 2 of 4 · waiting for approval');
    expect(releaseSummary(plan({ status: 'paused' }), NOW)).toBe('stage 2 of 4 · paused');
    expect(releaseSummary(plan({ status: 'rolled_back' }), NOW)).toBe('rolled back');
    expect(releaseSummary(plan({ status: 'completed' }), NOW)).toBe('completed');
  });
});

describe('duration', () => {
  it('rounds up, so time left never reads as zero', () => {
    expect([duration(1), duration(59_000), duration(61_000), duration(HOUR + 1), duration(3 * 86_400_000)]).toEqual([
      '1 s',
      '59 s',
      '2 min',
      '2 h',
      '3 d',
    ]);
  });
});
