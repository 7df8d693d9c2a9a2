import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, confirmWith, fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import type { SegmentRow } from '../api/types.ts';
import { SegmentForm } from './segment-form.tsx';

const segment: SegmentRow = {
  environment: 'production',
  key: 'enterprise',
  name: 'Enterprise',
  description: '',
  definition: { attribute: 'accountId', included: ['a1'], rules: [[{ attribute: 'plan', op: 'equals', values: ['enterprise'] }]] },
  version: 4,
  updatedAt: 0,
};

describe('SegmentForm', () => {
  it('edits rule-based membership as OR-ed groups of AND-ed conditions', async () => {
    const f = fakeFetch({ 'PUT /environments/production/segments/enterprise': () => [200, {}] });
    render(
      <WithSession routes={f}>
        <SegmentForm env="production" segment={segment} onDone={() => undefined} />
      </WithSession>,
    );
    // AND a second condition into the first group…
    fireEvent.click(screen.getByRole('button', { name: '+ Condition' }));
    fireEvent.input(document.getElementById('seg-enterprise-g0-c1-attr')!, { target: { value: 'seats' } });
    fireEvent.change(document.getElementById('seg-enterprise-g0-c1-op')!, { target: { value: 'gte' } });
    fireEvent.input(document.getElementById('seg-enterprise-g0-c1-values')!, { target: { value: '50' } });
    // …and OR a second group.
    fireEvent.click(screen.getByRole('button', { name: '+ Rule group' }));
    fireEvent.input(document.getElementById('seg-enterprise-g1-c0-attr')!, { target: { value: 'email' } });
    fireEvent.change(document.getElementById('seg-enterprise-g1-c0-op')!, { target: { value: 'emailDomain' } });
    fireEvent.input(document.getElementById('seg-enterprise-g1-c0-values')!, { target: { value: 'bigco.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save segment' }));
    // A production segment changes who matches at once: confirmed with what changes and why.
    expect(changeLines()).toEqual([
      'Rule group 1 from plan equals enterprise → to plan equals enterprise and seats ≥ 50',
      'Rule group 2 from — → to email email domain is bigco.com',
    ]);
    expect(f.calls).toHaveLength(0);
    confirmWith('big accounts by seats too');
    await waitFor(() => expect(f.calls.length).toBe(1));
    expect(f.calls[0]?.headers['If-Match']).toBe('"4"');
    expect(f.calls[0]?.body).toEqual({
      name: 'Enterprise',
      description: '',
      attribute: 'accountId',
      included: ['a1'],
      excluded: [],
      rules: [
        [
          { attribute: 'plan', op: 'equals', values: ['enterprise'] },
          { attribute: 'seats', op: 'gte', values: [50] },
        ],
        [{ attribute: 'email', op: 'emailDomain', values: ['bigco.com'] }],
      ],
      version: 4,
      reason: 'big accounts by seats too',
    });
  });

  it('removes a group', async () => {
    const f = fakeFetch({ 'PUT /environments/production/segments/enterprise': () => [200, {}] });
    render(
      <WithSession routes={f}>
        <SegmentForm env="production" segment={segment} onDone={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove rule group 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save segment' }));
    confirmWith('rules retired');
    await waitFor(() => expect(f.calls.length).toBe(1));
    expect(f.calls[0]?.body).toMatchObject({ rules: [] });
  });

  it('creates explicitly (If-None-Match: *), without a confirmation since no rule uses it yet', async () => {
    const f = fakeFetch({ 'PUT /environments/production/segments/beta': () => [200, {}] });
    render(
      <WithSession routes={f}>
        <SegmentForm env="production" onDone={() => undefined} />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Key'), { target: { value: 'beta' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create segment' }));
    await waitFor(() => expect(f.calls.length).toBe(1));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(f.calls[0]?.headers['If-None-Match']).toBe('*');
    expect(f.calls[0]?.body).not.toHaveProperty('version');
  });
});
