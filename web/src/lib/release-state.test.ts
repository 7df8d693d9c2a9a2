import { describe, expect, it } from 'vitest';
import { evidenceLines } from './release-state.ts';

describe('evidenceLines', () => {
  it('flattens nested evidence and lists, shows rates as % and nothing as a dash', () => {
    expect(
      evidenceLines({
        samples: { treatment: 1200, control: 23_000 },
        errorRate: { treatment: 0.031, control: 0.0102 },
        ratioInterval: [1.9, 4.1],
        llr: 3.0123,
        rule: 'error_ratio',
        p95: null,
      }),
    ).toEqual([
      ['samples.treatment', '1,200'],
      ['samples.control', '23,000'],
      ['errorRate.treatment', '3.1%'],
      ['errorRate.control', '1.02%'],
      ['ratioInterval.0', '1.9'],
      ['ratioInterval.1', '4.1'],
      ['llr', '3.01'],
      ['rule', 'error_ratio'],
      ['p95', '—'],
    ]);
  });
});
