import { render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { plan } from '../../test/unit/fake-release.ts';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { EnvSummary, FlagSummary, ReleasePlan } from '../api/types.ts';
import { FlagsPage } from './flags-page.tsx';

const state: EnvSummary = {
  enabled: true,
  version: 3,
  offVariant: 'off',
  defaultServe: { variant: 'off' },
  rules: 0,
  targets: 0,
  prerequisites: 0,
  updatedAt: 0,
};
const summary: FlagSummary = { ...flag(), environments: { development: state, production: state } };

function setup(releases: [number, unknown]) {
  const f = fakeFetch({ 'GET /flags': () => [200, { flags: [summary] }], 'GET /releases': () => releases });
  render(
    <WithSession routes={f}>
      <FlagsPage />
    </WithSession>,
  );
}
const cell = async (env: string) => {
  const row = await screen.findByRole('row', { name: /Checkout/ });
  return within(row).getAllByRole('cell')[env === 'development' ? 3 : 4]!;
};

describe('FlagsPage release states', () => {
  it('shows each environment’s release state from GET /releases', async () => {
    const live: ReleasePlan[] = [plan({ status: 'waiting_approval' }), plan({ environment: 'development', status: 'rolled_back' })];
    setup([200, { releases: live }]);
    await screen.findByText(/Release: stage 2 of 4 · waiting for approval/);
    expect((await cell('production')).textContent).toContain('Release: stage 2 of 4 · waiting for approval');
    expect((await cell('development')).textContent).toContain('Release: rolled back');
  });

  it('still lists flags when the Worker has no release API', async () => {
    setup([404, { error: { code: 'not_found', message: 'no route' } }]);
    expect((await cell('production')).textContent).not.toContain('Release');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
