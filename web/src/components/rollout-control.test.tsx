import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { config, confirmWith, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { RolloutControl } from './rollout-control.tsx';

describe('RolloutControl', () => {
  it('applies a preset with the version it was edited at, after an impact preview', async () => {
    const f = fakeFetch({
      'PUT /flags/checkout/environments/production/rollout': () => [200, {}],
      'POST /flags/checkout/environments/production/impact': () => [200, { sampled: 200, changed: 48, examples: [] }],
    });
    const c = config('production', {
      enabled: true,
      version: 7,
      defaultServe: {
        split: [
          { variant: 'on', weight: 5 },
          { variant: 'off', weight: 95 },
        ],
      },
    });
    render(
      <WithSession routes={f}>
        <RolloutControl flag={flag()} env="production" config={c} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    expect(screen.getByText(/Now: 5% get on/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '25%' }));
    expect((screen.getByLabelText('Exact %') as HTMLInputElement).value).toBe('25');
    await screen.findByText(/of 200 recent contexts would get a different value/, undefined, { timeout: 3000 });
    const impact = f.calls.find((call) => call.path.endsWith('/impact'));
    expect(impact?.body).toMatchObject({
      defaultServe: {
        split: [
          { variant: 'on', weight: 25 },
          { variant: 'off', weight: 75 },
        ],
      },
    });
    expect((screen.getByRole('button', { name: 'Apply rollout' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.submit(screen.getByRole('form', { name: 'Rollout in production' }));
    confirmWith('first paying customers');
    await waitFor(() => expect(f.calls.some((call) => call.method === 'PUT')).toBe(true));
    expect(f.calls.find((call) => call.method === 'PUT')?.body).toEqual({
      percentage: 25,
      variant: 'on',
      version: 7,
      reason: 'first paying customers',
    });
  });

  it('says so gracefully when there are no recent contexts to compare with', async () => {
    const f = fakeFetch({ 'POST /flags/checkout/environments/development/impact': () => [200, { sampled: 0, changed: 0, examples: [] }] });
    render(
      <WithSession routes={f}>
        <RolloutControl flag={flag()} env="development" config={config('development')} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Exact %'), { target: { value: '12.5' } });
    const none = await screen.findByText(/^No recent contexts to compare this change with\./, undefined, { timeout: 3000 });
    // …and says how to get some (issue 12 §4 impact preview).
    expect(none.textContent).toContain('sendContext: true');
  });
});
