import { describe, expect, it } from 'vitest';
import { fieldValue, newStage, STAGE_FIELDS, withField } from './stage-fields.ts';

const field = (label: string) => STAGE_FIELDS.find((f) => f.label === label)!;

describe('stage fields', () => {
  it('shows and takes an error-rate maximum in % while the plan stores a rate', () => {
    const s = withField(newStage(), field('Error rate max %'), '1.5');
    expect(s.checks.errorRate).toEqual({ maxRatio: 2, max: 0.015 });
    expect(fieldValue(s, field('Error rate max %'))).toBe('1.5');
  });

  it('adds a check when one of its fields is typed, and removes it when the last is emptied', () => {
    const withP95 = withField(newStage(), field('p95 max ms'), '800');
    expect(withP95.checks.latencyP95).toEqual({ maxMs: 800 });
    expect(withField(withP95, field('p95 max ms'), '').checks).toEqual({ errorRate: { maxRatio: 2 } });
  });

  it('leaves the stage it was given unchanged', () => {
    const s = newStage(5);
    withField(s, field('Percentage'), '10');
    expect(s.percentage).toBe(5);
    expect(withField(s, field('Percentage'), '10').percentage).toBe(10);
  });
});
