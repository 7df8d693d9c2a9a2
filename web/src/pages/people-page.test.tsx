import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { PeoplePage } from './people-page.tsx';

const binding = {
  id: 'b1',
  kind: 'group',
  subject: 'flag-admins',
  role: 'admin',
  productionAccess: true,
  createdBy: 'Ada (ada@example.com)',
  createdAt: 0,
};

function setup(access = true) {
  const bindings = [binding];
  const f = fakeFetch({
    'GET /role-bindings': () => [200, { bindings, access, bootstrapAdmins: ['root@example.com'] }],
    'POST /role-bindings': (body) => {
      const b = body as { subject: string };
      if (b.subject === 'taken@example.com')
        return [409, { error: { code: 'already_exists', message: 'email "taken@example.com" already has a binding' } }];
      bindings.push({ ...binding, ...(body as object), id: 'b2', createdAt: 0 });
      return [200, bindings.at(-1)];
    },
    'DELETE /role-bindings/b1': () => {
      bindings.shift();
      return [200, binding];
    },
  });
  const notes: string[] = [];
  render(
    <WithSession routes={f} notes={notes}>
      <PeoplePage />
    </WithSession>,
  );
  return { ...f, notes };
}

// Issue 12 §4 / docs/identity.md: who gets which role when signing in through Cloudflare Access.
describe('PeoplePage', () => {
  it('lists bindings and bootstrap admins, adds a person with a role, and removes a binding', async () => {
    const f = setup();
    const list = await screen.findByRole('list', { name: 'Role bindings' });
    await within(list).findByText('flag-admins');
    expect(screen.getByText(/root@example\.com/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'grace@example.com' } });
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'editor' } });
    fireEvent.click(screen.getByLabelText('May change production'));
    fireEvent.click(screen.getByRole('button', { name: 'Add binding' }));
    await waitFor(() => expect(within(list).getByText('grace@example.com')).toBeTruthy());
    expect(f.calls.find((c) => c.method === 'POST')?.body).toEqual({
      kind: 'email',
      subject: 'grace@example.com',
      role: 'editor',
      productionAccess: true,
    });
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('');

    const confirm = globalThis.confirm;
    globalThis.confirm = () => true;
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Remove the binding of flag-admins' }));
      await waitFor(() => expect(within(list).queryByText('flag-admins')).toBeNull());
    } finally {
      globalThis.confirm = confirm;
    }
    expect(f.notes).toContain('Removed the binding of flag-admins.');
  });

  it('keeps the form and says why when the API refuses, and warns when Access is not configured', async () => {
    setup(false);
    await screen.findByText(/Cloudflare Access sign-in is not configured/);
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'admin' } });
    // Admins always may change production: the box is ticked and fixed.
    const prod = screen.getByLabelText('May change production') as HTMLInputElement;
    expect(prod.checked).toBe(true);
    expect(prod.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'taken@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add binding' }));
    await screen.findByText(/already has a binding/);
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('taken@example.com');
  });
});
