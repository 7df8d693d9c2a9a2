// Issue 11 §6 in the admin app: a reviewed environment takes targeting changes as change
// requests, admins set how many approvals it needs, and a flag is promoted as the server's diff.
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { EnvironmentsPage } from '../pages/environments-page.tsx';
import { PromotePanel } from './promote-panel.tsx';
import { TargetingEditor } from './targeting-editor.tsx';

const REVIEWED = ENVIRONMENTS.map((e) => (e.production ? { ...e, requiredApprovals: 2 } : e));
const production = REVIEWED.find((e) => e.production)!;
const change = { id: 'cr-1', status: 'open', version: 1 };
const diff = [{ field: 'defaultServe', before: { variant: 'off' }, after: { variant: 'on' } }];
const promoted = (outcome: string, extra = {}) => ({
  flag: 'checkout',
  from: 'development',
  to: 'production',
  fromVersion: 7,
  toVersion: 3,
  diff,
  outcome,
  ...extra,
});

describe('a reviewed environment', () => {
  it('turns "Save targeting" into "Propose change": a change request with the config and the version the editor read', async () => {
    const f = fakeFetch({ 'POST /environments/production/change-requests': () => [200, change] });
    const f0 = flag();
    render(
      <WithSession routes={f} environments={REVIEWED}>
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
    fireEvent.input(screen.getByLabelText('Bucket percentages by'), { target: { value: 'accountId' } });
    fireEvent.input(screen.getByLabelText('Reason (audit log)'), { target: { value: 'per account' } });
    fireEvent.click(screen.getByRole('button', { name: 'Propose change' }));
    const link = await screen.findByRole('link', { name: 'review it' });
    expect(link.getAttribute('href')).toBe('/changes?env=production&id=cr-1');
    expect(f.calls.some((c) => c.method === 'PUT')).toBe(false);
    expect(f.calls.find((c) => c.method === 'POST')?.body).toEqual({
      flag: 'checkout',
      version: 3,
      reason: 'per account',
      config: expect.objectContaining({ bucketBy: 'accountId', offVariant: 'off' }),
    });
  });

  it('found out from the 422 review_required of a save offers "Propose change" instead', async () => {
    const f = fakeFetch({
      'PUT /flags/checkout/environments/development': () => [
        422,
        { error: { code: 'review_required', message: 'development requires 1 approval: propose a change request' } },
      ],
      'POST /environments/development/change-requests': () => [200, change],
    });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="development"
          config={f0.environments.development!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Bucket percentages by'), { target: { value: 'accountId' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save targeting' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Propose change' }));
    await screen.findByRole('link', { name: 'review it' });
    expect(f.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'PUT /flags/checkout/environments/development',
      'POST /environments/development/change-requests',
    ]);
  });

  it('is set by an admin on the environments page (PUT …/review)', async () => {
    const f = fakeFetch({ 'PUT /environments/production/review': (b) => [200, { environment: 'production', ...(b as object) }] });
    const notes: string[] = [];
    render(
      <WithSession routes={f} notes={notes}>
        <EnvironmentsPage />
      </WithSession>,
    );
    const input = document.getElementById('review-production') as HTMLInputElement;
    fireEvent.input(input, { target: { value: '2' } });
    fireEvent.submit(input.closest('form')!);
    await waitFor(() => expect(notes).toContain('Production: flag changes need 2 approvals from now on.'));
    expect(f.calls.find((c) => c.method === 'PUT')?.body).toEqual({ requiredApprovals: 2 });
  });
});

describe('PromotePanel', () => {
  it("shows the server's diff, then applies it with the target version the diff was read against", async () => {
    const f = fakeFetch({
      'POST /flags/checkout/environments/production/promote': (b) =>
        (b as { apply?: boolean }).apply ? [200, promoted('applied', { write: { config: { version: 4 } } })] : [200, promoted('preview')],
    });
    let changed = 0;
    const unreviewed = ENVIRONMENTS.find((e) => e.production)!;
    render(
      <WithSession routes={f}>
        <PromotePanel flagKey="checkout" env={unreviewed} canAct onChanged={() => changed++} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Promote from development' }));
    const table = await screen.findByRole('table', { name: 'Differences from development' });
    expect(table.textContent).toContain('defaultServe');
    fireEvent.click(screen.getByRole('button', { name: 'Apply to Production' }));
    await screen.findByText(/Promoted from development \(version 4\)/);
    expect(changed).toBe(1);
    expect(f.calls.map((c) => c.body)).toEqual([{ from: 'development' }, { from: 'development', apply: true, version: 3 }]);
  });

  it('proposes it where the target reviews changes, and links to the change request', async () => {
    const f = fakeFetch({
      'POST /flags/checkout/environments/production/promote': (b) =>
        (b as { apply?: boolean }).apply ? [200, promoted('proposed', { changeRequest: change })] : [200, promoted('preview')],
    });
    render(
      <WithSession routes={f} environments={REVIEWED}>
        <PromotePanel flagKey="checkout" env={production} canAct onChanged={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Promote from development' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Propose promotion' }));
    const link = await screen.findByRole('link', { name: 'review it' });
    expect(link.getAttribute('href')).toBe('/changes?env=production&id=cr-1');
  });
});
