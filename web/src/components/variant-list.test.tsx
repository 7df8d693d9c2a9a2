import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { confirmWith, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { VariantList } from './variant-list.tsx';

const theme = () => flag({ key: 'theme', kind: 'string', variants: { classic: 'classic', modern: 'modern-v1' }, version: 4 });

describe('VariantList', () => {
  it('saves edited and added variants with the version they were edited at', async () => {
    const f = fakeFetch({ 'PATCH /flags/theme': () => [200, { ...theme(), version: 5 }] });
    render(
      <WithSession routes={f}>
        <VariantList flag={theme()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Variant 2 value (string)'), { target: { value: 'modern-v2' } });
    fireEvent.click(screen.getByRole('button', { name: '+ Variant' }));
    fireEvent.input(screen.getByLabelText('Variant 3 name'), { target: { value: 'dark' } });
    fireEvent.input(screen.getByLabelText('Variant 3 value (string)'), { target: { value: 'dark-v1' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Variants' }));
    confirmWith('new theme');
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(f.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
      variants: { classic: 'classic', modern: 'modern-v2', dark: 'dark-v1' },
      version: 4,
    });
  });

  it('will not send a value of the wrong kind, and shows why the Worker refused a removal', async () => {
    const f = fakeFetch({
      'PATCH /flags/checkout': () => [
        400,
        { error: { code: 'invalid_request', message: 'in "production": config.defaultServe.variant: unknown variant "on"' } },
      ],
    });
    render(
      <WithSession routes={f}>
        <VariantList flag={flag()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Variant 1 value (boolean)'), { target: { value: 'yes' } });
    expect((screen.getByRole('button', { name: 'Save variants' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Variant 1 needs a name and a boolean value.')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Variant 1 value (boolean)'), { target: { value: 'true' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Remove' })[0]!);
    fireEvent.submit(screen.getByRole('form', { name: 'Variants' }));
    confirmWith('drop on');
    expect((await screen.findByRole('alert')).textContent).toContain('in "production"');
  });

  it('starts the next edit from what it saved, whether the reload lands before or after', async () => {
    let version = 4;
    const f = fakeFetch({ 'PATCH /flags/theme': () => [200, { ...theme(), version: ++version }] });
    const ui = (flagVersion: number) => (
      <WithSession routes={f}>
        <VariantList flag={{ ...theme(), version: flagVersion }} canEdit onSaved={() => undefined} />
      </WithSession>
    );
    const { rerender } = render(ui(4));
    fireEvent.input(screen.getByLabelText('Variant 2 value (string)'), { target: { value: 'modern-v2' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Variants' }));
    confirmWith('v2');
    // Saved (the form is enabled again) and the draft is the new base: nothing left to save.
    const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
    await waitFor(() => expect(button('+ Variant').disabled).toBe(false));
    expect(button('Save variants').disabled).toBe(true);
    // The next edit begins before the page's reload brings version 5 back.
    fireEvent.click(screen.getAllByRole('button', { name: 'Remove' })[0]!);
    rerender(ui(5));
    expect(screen.queryByLabelText('Variant 2 value (string)')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.submit(screen.getByRole('form', { name: 'Variants' }));
    confirmWith('only modern');
    await waitFor(() => expect(f.calls.filter((c) => c.method === 'PATCH')).toHaveLength(2));
    expect(f.calls.filter((c) => c.method === 'PATCH')[1]?.body).toMatchObject({ variants: { modern: 'modern-v2' }, version: 5 });
  });

  it('follows changes made elsewhere, unless the admin has edits of their own', () => {
    const ui = (f: ReturnType<typeof theme>) => (
      <WithSession routes={fakeFetch({})}>
        <VariantList flag={f} canEdit onSaved={() => undefined} />
      </WithSession>
    );
    const { rerender } = render(ui(theme()));
    rerender(ui({ ...theme(), variants: { classic: 'classic', modern: 'modern-v7' }, version: 5 }));
    expect((screen.getByLabelText('Variant 2 value (string)') as HTMLInputElement).value).toBe('modern-v7');
    expect((screen.getByRole('button', { name: 'Save variants' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.input(screen.getByLabelText('Variant 1 value (string)'), { target: { value: 'classic-v2' } });
    rerender(ui({ ...theme(), variants: { classic: 'classic', modern: 'modern-v8' }, version: 6 }));
    expect((screen.getByLabelText('Variant 1 value (string)') as HTMLInputElement).value).toBe('classic-v2');
    expect(screen.getByRole('alert').textContent).toContain('now version 6');
    fireEvent.click(screen.getByRole('button', { name: 'Discard my edits and reload' }));
    expect((screen.getByLabelText('Variant 2 value (string)') as HTMLInputElement).value).toBe('modern-v8');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('is read-only for viewers', () => {
    render(
      <WithSession routes={fakeFetch({})}>
        <VariantList flag={theme()} canEdit={false} onSaved={() => undefined} />
      </WithSession>,
    );
    expect(screen.queryByRole('form', { name: 'Variants' })).toBeNull();
    expect(screen.getByText('"modern-v1"')).toBeTruthy();
  });
});
