import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, config, confirmWith, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { ArchiveFlag } from './archive-flag.tsx';
import { MetadataForm } from './metadata-form.tsx';
import { RestoreFlag } from './restore-flag.tsx';
import { VariantList } from './variant-list.tsx';

// Changes every environment serves (variants, client visibility, archive, restore): the
// confirmation says what changes and counts what production SDKs served of it in the last 24 h.
const exposures = (counts: Record<string, number>) => (): [number, unknown] => [
  200,
  { environment: 'production', since: 0, flags: { checkout: counts } },
];
const EXPOSURES = 'GET /environments/production/exposures';
const live = () =>
  flag({
    version: 6,
    environments: {
      development: config('development'),
      production: config('production', { enabled: true, defaultServe: { variant: 'on' } }),
    },
  });

describe('production confirmation of flag-wide writes', () => {
  it('variants: names the changed value and how many production evaluations got that variant', async () => {
    const f = fakeFetch({ [EXPOSURES]: exposures({ on: 1200, off: 300 }), 'PATCH /flags/checkout': () => [200, live()] });
    render(
      <WithSession routes={f}>
        <VariantList
          flag={flag({ kind: 'string', variants: { on: 'green', off: 'grey' }, version: 6 })}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Variant 1 value (string)'), { target: { value: 'blue' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Variants' }));
    expect(changeLines()).toEqual(['Variant on from "green" → to "blue"']);
    const count = await screen.findByTestId('exposure-impact');
    expect(count.textContent).toBe('1,200');
    expect(count.parentElement?.textContent).toContain('served "on": they get the new value');
    confirmWith('brand refresh');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      variants: { on: 'blue', off: 'grey' },
      version: 6,
      reason: 'brand refresh',
    });
  });

  it('client visibility: hiding a flag from browsers says what they get and asks why', async () => {
    const f = fakeFetch({ [EXPOSURES]: exposures({ on: 40, off: 2 }), 'PATCH /flags/checkout': () => [200, live()] });
    render(
      <WithSession routes={f}>
        <MetadataForm flag={flag({ clientVisible: true, version: 6 })} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByLabelText(/Visible to client keys/));
    fireEvent.submit(screen.getByRole('form', { name: 'Flag details' }));
    const dialog = screen.getByRole('dialog', { name: 'Hide checkout from browsers?' });
    expect(dialog.textContent).toContain('fall back to their code default');
    expect(changeLines()).toEqual(['Visible to client keys from Yes → to No']);
    expect((await screen.findByTestId('exposure-impact')).textContent).toBe('42');
    confirmWith('server-only from now on');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
      clientVisible: false,
      version: 6,
      reason: 'server-only from now on',
    });
  });

  it('protective state: declaring "on" (a maintenance switch) is confirmed, saying which switch becomes the emergency move', async () => {
    const f = fakeFetch({ 'PATCH /flags/checkout': () => [200, live()] });
    render(
      <WithSession routes={f}>
        <MetadataForm flag={flag({ version: 6 })} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.change(screen.getByLabelText(/^Protective state/), { target: { value: 'on' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Flag details' }));
    const dialog = screen.getByRole('dialog', { name: 'Make "on" the emergency move for checkout?' });
    expect(dialog.textContent).toContain('Turning it off becomes an ordinary guarded edit');
    expect(changeLines()).toEqual(['Protective state from off → to on']);
    confirmWith('maintenance switch');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
      protectiveState: 'on',
      version: 6,
      reason: 'maintenance switch',
    });
  });

  it('client visibility needs production access; other details do not ask', async () => {
    const f = fakeFetch({ 'PATCH /flags/checkout': () => [200, live()] });
    render(
      <WithSession routes={f} me={{ id: 'tok-e', name: 'e', role: 'editor', productionAccess: false }}>
        <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    expect((screen.getByLabelText(/Visible to client keys/) as HTMLInputElement).disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Owner'), { target: { value: 'growth' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Flag details' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(f.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ owner: 'growth', version: 1 }));
    // What production serves is left out, so the Worker's production rule does not apply to an owner edit.
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).not.toHaveProperty('clientVisible');
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).not.toHaveProperty('protectiveState');
  });

  it('archive: what each environment served before, the production evaluations it reaches, guarded by the version', async () => {
    const f = fakeFetch({
      [EXPOSURES]: exposures({ on: 900, off: 100 }),
      'DELETE /flags/checkout': () => [200, { key: 'checkout', archived: true }],
    });
    render(
      <WithSession routes={f}>
        <ArchiveFlag flag={live()} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Archive…' }));
    expect(changeLines()).toEqual([
      'Development from Off (serving off) → to archived (SDKs serve their code default)',
      'Production from On (on) → to archived (SDKs serve their code default)',
    ]);
    expect((await screen.findByTestId('exposure-impact')).textContent).toBe('1,000');
    expect((screen.getByRole('button', { name: 'Archive flag' }) as HTMLButtonElement).disabled).toBe(true);
    confirmWith('fully rolled out');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'DELETE')).toBe(true));
    const del = f.calls.find((c) => c.method === 'DELETE');
    expect(del?.query).toBe('?reason=fully%20rolled%20out');
    expect(del?.headers['If-Match']).toBe('"6"');
  });

  it('restore: brings back what each environment served, with the reason and the archived version', async () => {
    const notes: string[] = [];
    let restored = false;
    const f = fakeFetch({
      [EXPOSURES]: exposures({ '': 75 }),
      'POST /flags/checkout/restore': () => [200, { ...live(), archivedAt: null, version: 7, delivery: 'delivered' }],
    });
    render(
      <WithSession routes={f} notes={notes}>
        <RestoreFlag flag={{ ...live(), archivedAt: 1_700_000_000_000 }} canRestore onRestored={() => (restored = true)} />
      </WithSession>,
    );
    expect(screen.getByText(/SDKs serve their code defaults/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Restore…' }));
    expect(changeLines()).toEqual([
      'Development from archived (SDKs serve their code default) → to Off (serving off)',
      'Production from archived (SDKs serve their code default) → to On (on)',
    ]);
    expect((await screen.findByTestId('exposure-impact')).textContent).toBe('75');
    confirmWith('archived by mistake');
    await waitFor(() => expect(restored).toBe(true));
    const post = f.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ version: 6, reason: 'archived by mistake' });
    expect(post?.headers['If-Match']).toBe('"6"');
    expect(notes).toEqual(['Restored checkout.']);
  });
});
