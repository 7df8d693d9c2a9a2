import type { EvaluationResult } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { chooseRewrite, type Experiments } from './experiments.ts';

const served = (variant: string | undefined, reason: EvaluationResult['reason'] = 'SPLIT'): EvaluationResult => ({
  key: 'redesigned-dashboard',
  value: variant ?? null,
  reason,
  ...(variant && { variant }),
});

const experiments: Experiments = {
  'redesigned-dashboard': { '/dashboard': (variant) => `/dashboard/${variant}` },
  'pricing-page': { '/pricing': { b: '/pricing-b' } },
};

describe('A/B rewrite mapping', () => {
  it('rewrites the exact path to the served variant page', () => {
    expect(chooseRewrite(experiments, '/dashboard', () => served('treatment'))).toEqual({
      flag: 'redesigned-dashboard',
      variant: 'treatment',
      reason: 'SPLIT',
      pathname: '/dashboard/treatment',
    });
    expect(chooseRewrite(experiments, '/dashboard/', () => served('control'))?.pathname).toBe('/dashboard/control');
  });

  it('leaves other paths, including sub-paths, alone', () => {
    expect(chooseRewrite(experiments, '/dashboard/control', () => served('treatment'))).toBeUndefined();
    expect(chooseRewrite(experiments, '/', () => served('treatment'))).toBeUndefined();
    expect(chooseRewrite(undefined, '/dashboard', () => served('treatment'))).toBeUndefined();
  });

  it('does not rewrite without a served variant (no snapshot, error) so the original page is the default', () => {
    expect(chooseRewrite(experiments, '/dashboard', () => undefined)).toBeUndefined();
    expect(chooseRewrite(experiments, '/dashboard', () => served(undefined, 'ERROR'))).toBeUndefined();
    expect(chooseRewrite(experiments, '/dashboard', () => served('control', 'ERROR'))).toBeUndefined();
  });

  it('takes a map of variants; an unmapped variant stays on the original page', () => {
    const pricing = (variant: string) => () => ({ ...served(variant), key: 'pricing-page' });
    expect(chooseRewrite(experiments, '/pricing', pricing('b'))?.pathname).toBe('/pricing-b');
    expect(chooseRewrite(experiments, '/pricing', pricing('a'))).toBeUndefined();
    expect(chooseRewrite(experiments, '/pricing', pricing('constructor'))).toBeUndefined();
  });

  it('refuses destinations that are not same-origin paths', () => {
    const odd: Experiments = { f: { '/x': () => 'https://evil.example/' } };
    expect(chooseRewrite(odd, '/x', () => served('a'))).toBeUndefined();
  });
});
