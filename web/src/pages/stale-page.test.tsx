import { render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { EnvSummary, FlagSummary, Lifecycle, StaleReport } from '../api/types.ts';
import { FlagsPage } from './flags-page.tsx';
import { StalePage } from './stale-page.tsx';

const DAY = 86_400_000;
const SINCE = Date.parse('2026-10-01T00:00:00Z');

const lifecycle = (state: Lifecycle['state'], reason: string): Lifecycle => ({
  state,
  since: SINCE,
  reason,
  phase: 'rolled_out',
  phaseSince: SINCE - 14 * DAY,
  variant: 'on',
  atFull: true,
  lastEvaluatedAt: SINCE,
  references: null,
});

const report: StaleReport = {
  generatedAt: SINCE + 30 * DAY,
  environments: ['production'],
  summary: {
    atFullOver30Days: 1,
    toRemove: 1,
    byState: { new: 0, rolling_out: 0, rolled_out: 3, stale: 1, expired: 0, ready_to_remove: 0, unknown: 0, archived: 0 },
  },
  flags: [
    {
      key: 'checkout',
      name: 'Checkout',
      owner: 'payments',
      type: 'release',
      environment: 'production',
      state: 'stale',
      since: SINCE,
      reason: 'rolled out longer than release flags live (14 days)',
      variant: 'on',
      rolledOutSince: SINCE - 14 * DAY,
      lastEvaluatedAt: SINCE,
      references: null,
      command: 'npx edgeflags cleanup checkout',
    },
  ],
  unknown: [],
};

describe('StalePage', () => {
  it('shows the server’s report: the seed number, which flags to remove, since when, whose, and the cleanup command', async () => {
    const f = fakeFetch({ 'GET /reports/stale': () => [200, report] });
    render(
      <WithSession routes={f}>
        <StalePage />
      </WithSession>,
    );
    expect((await screen.findByText(/Flags at 100% for more than 30 days/)).textContent).toContain('30 days: 1');
    const row = screen.getByRole('row', { name: /Checkout/ });
    expect(row.textContent).toContain('stale');
    expect(row.textContent).toContain('2026-10-01');
    expect(row.textContent).toContain('payments');
    expect(within(row).getByText('npx edgeflags cleanup checkout')).toBeTruthy();
  });
});

describe('FlagsPage lifecycle', () => {
  const env = (lc: Lifecycle): EnvSummary => ({
    enabled: true,
    version: 3,
    offVariant: 'off',
    defaultServe: { variant: 'on' },
    rules: 0,
    targets: 0,
    prerequisites: 0,
    updatedAt: 0,
    lifecycle: lc,
  });
  it('shows the server’s state with its date, and badges a flag to remove', async () => {
    const summary: FlagSummary = {
      ...flag(),
      environments: { development: env(lifecycle('rolled_out', 'rolled out')), production: env(lifecycle('stale', 'rolled out too long')) },
    };
    const f = fakeFetch({ 'GET /flags': () => [200, { flags: [summary] }], 'GET /releases': () => [200, { releases: [] }] });
    render(
      <WithSession routes={f}>
        <FlagsPage />
      </WithSession>,
    );
    const row = await screen.findByRole('row', { name: /Checkout/ });
    const cells = within(row).getAllByRole('cell');
    expect(cells[3]!.textContent).toContain('rolled out since 2026-10-01');
    expect(cells[4]!.textContent).toContain('stale since 2026-10-01');
    expect(within(cells[0]!).getByText('stale').getAttribute('title')).toContain('rolled out too long');
  });
});
