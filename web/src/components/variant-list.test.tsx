import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { VariantList } from './variant-list.tsx';

const theme = () => flag({ key: 'theme', kind: 'string', variants: { classic: 'classic', modern: 'modern-v1' }, version: 4 });

describe('VariantList', () => {
  it('saves edited and added variants with the version they were edited at', async () => {
    const f = fakeFetch({ 'PATCH /flags/theme': () => [200, {}] });
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
    expect((await screen.findByRole('alert')).textContent).toContain('in "production"');
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
