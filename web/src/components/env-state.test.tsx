import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { EnvSummary } from '../api/types.ts';
import { EnvState } from './env-state.tsx';

const summary = (over: Partial<EnvSummary>): EnvSummary => ({
  enabled: true,
  version: 1,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  rules: 0,
  targets: 0,
  prerequisites: 0,
  updatedAt: 0,
  ...over,
});

describe('EnvState', () => {
  it('names what is checked before the default rule: prerequisites, targets, rules', () => {
    const { container } = render(<EnvState envName="Production" state={summary({ prerequisites: 1, targets: 2, rules: 3 })} />);
    expect(container.textContent).toBe('Production: On· needs 1 flag, 2 target lists, 3 rules, then on');
  });

  it('says only "Off" when the environment is off, whatever its targeting', () => {
    const { container } = render(<EnvState envName="Staging" state={summary({ enabled: false, prerequisites: 2 })} />);
    expect(container.textContent).toBe('Staging: Off');
  });
});
