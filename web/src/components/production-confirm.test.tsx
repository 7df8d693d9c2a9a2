import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, config, confirmWith, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { RolloutControl } from './rollout-control.tsx';
import { TargetingEditor } from './targeting-editor.tsx';

// Rollout and targeting in production: the confirmation says what changes (before → after), how
// many recent contexts would get another value (the impact route), and sends the reason.
const written = (body: unknown): [number, unknown] => [
  200,
  { flag: 'checkout', environment: 'production', config: { version: 8, enabled: true }, snapshotVersion: 2, delivered: 0, body },
];
const impact = (changed: number) => (): [number, unknown] => [200, { sampled: 120, changed, examples: [] }];

describe('production confirmation of configuration writes', () => {
  it('rollout: 5% → 25% with its impact, sent with the reason and version only after confirming', async () => {
    const f = fakeFetch({
      'PUT /flags/checkout/environments/production/rollout': written,
      'POST /flags/checkout/environments/production/impact': impact(24),
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
    fireEvent.click(screen.getByRole('button', { name: '25%' }));
    fireEvent.submit(screen.getByRole('form', { name: /^Rollout in/ }));
    const dialog = screen.getByRole('dialog', { name: 'Roll out checkout to 25% in Production?' });
    expect(changeLines()).toEqual(['Default rule from 5% on → to 25% on']);
    expect(dialog.textContent).toContain('Raising it only adds users');
    await waitFor(() => expect(dialog.textContent).toContain('24 of 120 recent contexts would get a different value'), { timeout: 3000 });
    expect(f.calls.some((call) => call.method === 'PUT')).toBe(false);
    expect((screen.getByRole('button', { name: 'Roll out to 25%' }) as HTMLButtonElement).disabled).toBe(true);
    confirmWith('error rate flat for a day');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const put = f.calls.find((call) => call.method === 'PUT');
    expect(put?.body).toEqual({ percentage: 25, variant: 'on', version: 7, reason: 'error rate flat for a day' });
    expect(put?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('rollout outside production applies at once', async () => {
    const f = fakeFetch({ 'PUT /flags/checkout/environments/development/rollout': written });
    render(
      <WithSession routes={f}>
        <RolloutControl flag={flag()} env="development" config={config('development')} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '50%' }));
    fireEvent.submit(screen.getByRole('form', { name: /^Rollout in/ }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(f.calls.find((call) => call.method === 'PUT')?.body).toEqual({ percentage: 50, variant: 'on', version: 3 }));
  });

  it('targeting: lists the rule added, shows the impact, and sends the reason given in the dialog', async () => {
    const f = fakeFetch({
      'PUT /flags/checkout/environments/production': written,
      'POST /flags/checkout/environments/production/impact': impact(31),
    });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="production"
          config={f0.environments.production!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    // In production the reason is asked in the confirmation, not beside the button.
    expect(screen.queryByLabelText('Reason (audit log)')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'in' } });
    fireEvent.input(screen.getByLabelText('Attribute'), { target: { value: 'plan' } });
    fireEvent.input(screen.getByLabelText('Values (comma-separated)'), { target: { value: 'pro, enterprise' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save targeting' }));
    expect(changeLines()).toEqual(['Rule 1 from — → to plan is one of pro, enterprise → on']);
    const dialog = screen.getByRole('dialog');
    await waitFor(() => expect(dialog.textContent).toContain('31 of 120 recent contexts would get a different value'), { timeout: 3000 });
    confirmWith('paying plans first');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(f.calls.find((c) => c.method === 'PUT')?.body).toMatchObject({
      version: 3,
      reason: 'paying plans first',
      rules: [{ conditions: [{ attribute: 'plan', op: 'in', values: ['pro', 'enterprise'] }] }],
    });
  });

  it('keeps the dialog open with the message when the Worker fails, and a retry reuses the idempotency key', async () => {
    let answer: [number, unknown] = [503, { error: { code: 'unavailable', message: 'try again' } }];
    const f = fakeFetch({ 'PUT /flags/checkout/environments/production/rollout': () => answer });
    render(
      <WithSession routes={f}>
        <RolloutControl flag={flag()} env="production" config={config('production')} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '5%' }));
    fireEvent.submit(screen.getByRole('form', { name: /^Rollout in/ }));
    confirmWith('canary');
    expect((await screen.findByRole('alert')).textContent).toBe('try again');
    answer = written({});
    confirmWith();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const [first, second] = f.calls.filter((c) => c.method === 'PUT');
    // The first attempt may have been applied: the retry is the same action, applied once.
    expect(second?.headers['Idempotency-Key']).toBe(first?.headers['Idempotency-Key']);
  });
});
