import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { Graph, PolicyReport, StoredPolicies } from '../api/governance-types.ts';
import { MetadataForm } from '../components/metadata-form.tsx';
import { GraphPage } from './graph-page.tsx';
import { NewFlagPage } from './new-flag-page.tsx';
import { PoliciesPage } from './policies-page.tsx';

// Issue 11 §2 and §7 in the admin app: policy refusals on their field in plain words, the
// policies and their report, and the dependency graph with what breaks if something goes.

const refusal = (rule: string, path: string, message: string) => [
  422,
  {
    error: {
      code: 'rule_violation',
      message: `policy ${rule}: ${message}`,
      details: { rule, issues: [{ path, message: `${message} (policy ${rule})` }] },
    },
  },
];

describe('a policy refusal', () => {
  it('is shown on the field it is about, in the policy’s words', async () => {
    const f = fakeFetch({
      'POST /flags': () =>
        refusal('release.owner-required', 'owner', 'a release flag needs an owner: who decides when it is removed') as [number, unknown],
    });
    render(
      <WithSession routes={f}>
        <NewFlagPage />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Key'), { target: { value: 'new-checkout' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create flag' }));
    await waitFor(() => expect(document.getElementById('new-owner-error')?.textContent).toContain('a release flag needs an owner'));
    expect(document.body.textContent).toContain('Not saved: fix the fields marked below.');
  });

  it('is shown on the type when the new type’s policy refuses what an environment serves', async () => {
    const message =
      'a permission flag grants or denies, never to a percentage: target people or segments instead (it does in "production")';
    const f = fakeFetch({
      'PATCH /flags/checkout': () => refusal('permission.no-percentage-splits', 'type', message) as [number, unknown],
    });
    render(
      <WithSession routes={f}>
        <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'permission' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Flag details' }));
    await waitFor(() => expect(document.getElementById('meta-type-error')?.textContent).toContain('never to a percentage'));
  });

  it('asks an experiment for its primary metric', async () => {
    const f = fakeFetch({ 'POST /flags': () => [200, { key: 'x' }] });
    render(
      <WithSession routes={f}>
        <NewFlagPage />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Key'), { target: { value: 'exp-one' } });
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'experiment' } });
    fireEvent.input(screen.getByLabelText('Primary metric'), { target: { value: 'invoice-created' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create flag' }));
    await waitFor(() => expect(f.calls.some((c) => c.method === 'POST')).toBe(true));
    expect(f.calls.find((c) => c.method === 'POST')?.body).toMatchObject({ type: 'experiment', primaryMetric: 'invoice-created' });
  });

  it('declares an ops flag’s protective state, even the default', async () => {
    const f = fakeFetch({ 'POST /flags': () => [200, { key: 'x' }] });
    render(
      <WithSession routes={f}>
        <NewFlagPage />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Key'), { target: { value: 'ops-one' } });
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'ops' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create flag' }));
    await waitFor(() => expect(f.calls.some((c) => c.method === 'POST')).toBe(true));
    expect(f.calls.find((c) => c.method === 'POST')?.body).toMatchObject({ type: 'ops', protectiveState: 'off' });
  });
});

const graph: Graph = {
  nodes: [
    { id: 'flag:checkout', kind: 'flag', key: 'checkout', label: 'Checkout', type: 'release' },
    { id: 'flag:upsell', kind: 'flag', key: 'upsell', label: 'Upsell', type: 'release' },
    { id: 'flag:banner', kind: 'flag', key: 'banner', label: 'Banner', type: 'release' },
    { id: 'flag:lonely', kind: 'flag', key: 'lonely', label: 'Lonely', type: 'ops' },
    { id: 'segment:production/beta', kind: 'segment', key: 'beta', environment: 'production', label: 'Beta' },
  ],
  edges: [
    { from: 'flag:upsell', to: 'flag:checkout', kind: 'prerequisite', environment: 'production' },
    { from: 'flag:banner', to: 'flag:upsell', kind: 'prerequisite', environment: 'development' },
    { from: 'flag:banner', to: 'segment:production/beta', kind: 'segment', environment: 'production' },
  ],
};

describe('GraphPage', () => {
  it('draws the dependencies and lists what breaks if a flag is archived, through its dependents too', async () => {
    render(
      <WithSession routes={fakeFetch({ 'GET /graph': () => [200, graph] })}>
        <GraphPage />
      </WithSession>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'checkout' }));
    const panel = screen.getByRole('heading', { name: 'Archiving checkout' }).closest('section')!;
    const items = within(panel)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual(['upsell (prerequisite in production)', 'banner (prerequisite in development)']);
    expect(screen.getByText('1 other flags have no dependencies and nothing depends on them.')).toBeDefined();
    expect(document.querySelectorAll('.gnode-breaks')).toHaveLength(2);
  });

  it('filters by environment, and says when a segment can go', async () => {
    render(
      <WithSession routes={fakeFetch({ 'GET /graph': () => [200, graph] })}>
        <GraphPage />
      </WithSession>,
    );
    await screen.findByRole('button', { name: 'checkout' });
    fireEvent.change(screen.getByLabelText('Environment'), { target: { value: 'development' } });
    expect(screen.queryByRole('button', { name: 'checkout' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'banner' }));
    expect(screen.getByText('Nothing depends on it: it can go.')).toBeDefined();
  });
});

const DEFAULTS = {
  naming: { pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', hint: 'kebab-case' },
  release: { ownerRequired: true, expiryRequired: true, defaultExpiryDays: 90, productionRolloutNeedsPlan: true },
  experiment: { endDateRequired: true, primaryMetricRequired: true },
  ops: { protectiveStateRequired: true, neverStale: true },
  permission: { noPercentageSplits: true, neverStale: true },
  migration: { stages: ['old', 'dual-write', 'dual-read', 'new'], oneStageAtATime: true },
};
const stored: StoredPolicies = { policies: DEFAULTS, defaults: DEFAULTS, rules: [], version: 0, updatedAt: null, updatedBy: null };
const report: PolicyReport = {
  flags: [
    {
      key: 'old-flag',
      type: 'release',
      owner: '',
      createdAt: 0,
      violations: [{ rule: 'release.owner-required', path: 'owner', message: 'a release flag needs an owner' }],
    },
  ],
  counts: { 'release.owner-required': 1 },
};

describe('PoliciesPage', () => {
  it('lists flags that break a policy, and saves a change with the version it read', async () => {
    const f = fakeFetch({
      'GET /settings/policies': () => [200, stored],
      'GET /policy-report': () => [200, report],
      'PUT /settings/policies': () => [200, { ...stored, version: 1 }],
    });
    render(
      <WithSession routes={f}>
        <PoliciesPage />
      </WithSession>,
    );
    const row = await screen.findByRole('row', { name: /old-flag/ });
    expect(row.textContent).toContain('a release flag needs an owner');
    fireEvent.click(await screen.findByLabelText('An owner is required'));
    fireEvent.input(screen.getByLabelText(/^Expiry when none is given/), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policies' }));
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = f.calls.find((c) => c.method === 'PUT')!;
    expect(put.headers['If-Match']).toBe('"0"');
    expect(put.body).toMatchObject({ version: 0, policies: { release: { ownerRequired: false, defaultExpiryDays: 30 } } });
  });

  it('shows a refused pattern on its field', async () => {
    const f = fakeFetch({
      'GET /settings/policies': () => [200, stored],
      'GET /policy-report': () => [200, { flags: [], counts: {} }],
      'PUT /settings/policies': () => [
        400,
        {
          error: {
            code: 'invalid_request',
            message: 'json.policies.naming.pattern: regex uses a lookahead',
            details: { issues: [{ path: 'policies.naming.pattern', message: 'regex uses a lookahead "(?=", which RE2 does not support' }] },
          },
        },
      ],
    });
    render(
      <WithSession routes={f}>
        <PoliciesPage />
      </WithSession>,
    );
    await screen.findByText('Every live flag follows the policies.');
    fireEvent.click(await screen.findByRole('button', { name: 'Save policies' }));
    await waitFor(() => expect(document.getElementById('policy-naming-pattern-error')?.textContent).toContain('lookahead'));
  });
});
