import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../test/unit/fake-session.tsx';
import { EnvironmentsRoute, GraphRoute, KeysRoute, NewFlagRoute, PoliciesRoute } from './lazy-routes.tsx';

// Pages loaded as their own chunks still open: each route renders its page once the chunk is in.
describe('lazy routes', () => {
  it.each([
    ['new flag', NewFlagRoute, { role: 'heading', name: 'New flag' }],
    ['keys', KeysRoute, { role: 'heading', name: /^Keys/ }],
    ['environments', EnvironmentsRoute, { role: 'heading', name: 'Environments' }],
    ['dependencies', GraphRoute, { role: 'heading', name: 'Dependencies' }],
    ['policies', PoliciesRoute, { role: 'heading', name: 'Policies' }],
  ] as const)('opens the %s page', async (_, Route, heading) => {
    render(
      <WithSession routes={fakeFetch({})}>
        <Route />
      </WithSession>,
    );
    expect(await screen.findByRole(heading.role, { name: heading.name, level: 1 }, { timeout: 5000 })).toBeDefined();
  });
});
