import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { KeysPage } from './keys-page.tsx';

// Issue 12 §4: the key form resets after creation, so a second key is not made with the first one's name.
describe('KeysPage', () => {
  it('empties the SDK key form once the key is created, and keeps it when the API refuses', async () => {
    let refuse = true;
    const f = fakeFetch({
      'GET /sdk-keys': () => [200, { keys: [] }],
      'GET /admin-tokens': () => [200, { tokens: [] }],
      'POST /sdk-keys': (body) =>
        refuse
          ? [409, { error: { code: 'already_exists', message: 'a key with that name exists' } }]
          : [201, { ...(body as object), id: 'k1', secret: 'efc_secret', createdAt: 0 }],
    });
    render(
      <WithSession routes={f}>
        <KeysPage />
      </WithSession>,
    );
    const name = (await screen.findByLabelText('Name', { selector: '#sdk-name' })) as HTMLInputElement;
    fireEvent.input(name, { target: { value: 'checkout web' } });
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'client' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create SDK key' }));
    await screen.findByText(/a key with that name exists/);
    expect(name.value).toBe('checkout web');
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Create SDK key' }));
    await screen.findByText('efc_secret');
    await waitFor(() => expect(name.value).toBe(''));
    expect((screen.getByLabelText('Kind') as HTMLSelectElement).value).toBe('server');
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { kind: 'client', environment: 'development', name: 'checkout web', rateTier: 'standard' },
      { kind: 'client', environment: 'development', name: 'checkout web', rateTier: 'standard' },
    ]);
  });

  it("shows each key's rate-limit tier and changes it in place; a new key can start on the high tier (issue 9 §3)", async () => {
    let tier = 'standard';
    const key = { id: 'k1', kind: 'server', environment: 'production', name: 'checkout-api', hint: 'efs_ab…yz', createdAt: 0 };
    const f = fakeFetch({
      'GET /sdk-keys': () => [200, { keys: [{ ...key, revokedAt: null, expiresAt: null, replacedBy: null, rateTier: tier }] }],
      'GET /admin-tokens': () => [200, { tokens: [] }],
      'PATCH /sdk-keys/k1': (body) => {
        tier = (body as { rateTier: string }).rateTier;
        return [200, { ...key, rateTier: tier }];
      },
      'POST /sdk-keys': (body) => [200, { ...(body as object), id: 'k2', secret: 'efs_secret', createdAt: 0 }],
    });
    const notes: string[] = [];
    render(
      <WithSession routes={f} notes={notes}>
        <KeysPage />
      </WithSession>,
    );
    const select = (await screen.findByLabelText('Rate limit of checkout-api')) as HTMLSelectElement;
    expect(select.value).toBe('standard');
    fireEvent.change(select, { target: { value: 'high' } });
    await waitFor(() => expect(notes).toContain('checkout-api: high rate limit, in effect within 15 s.'));
    expect(f.calls.find((c) => c.method === 'PATCH')).toMatchObject({ path: '/sdk-keys/k1', body: { rateTier: 'high' } });
    await waitFor(() => expect((screen.getByLabelText('Rate limit of checkout-api') as HTMLSelectElement).value).toBe('high'));

    fireEvent.input(screen.getByLabelText('Name', { selector: '#sdk-name' }), { target: { value: 'batch' } });
    fireEvent.change(screen.getByLabelText('Rate limit', { selector: '#sdk-tier' }), { target: { value: 'high' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create SDK key' }));
    await screen.findByText('efs_secret');
    expect(f.calls.find((c) => c.method === 'POST')?.body).toMatchObject({ name: 'batch', rateTier: 'high' });
  });

  it('says whose each admin token is, and "unowned" for tokens made before owners (issue 11 §1)', async () => {
    const token = {
      hint: 'efa_abcd…wxyz',
      role: 'editor',
      productionAccess: true,
      createdAt: 0,
      revokedAt: null,
      expiresAt: null,
      replacedBy: null,
    };
    const f = fakeFetch({
      'GET /sdk-keys': () => [200, { keys: [] }],
      'GET /admin-tokens': () => [
        200,
        {
          tokens: [
            { ...token, id: 't1', name: 'ci-deploy', owner: 'ada@example.com' },
            { ...token, id: 't2', name: 'old-ci', owner: null },
          ],
        },
      ],
    });
    render(
      <WithSession routes={f}>
        <KeysPage />
      </WithSession>,
    );
    expect((await screen.findByText('ci-deploy')).closest('li')?.textContent).toContain("ada@example.com's");
    expect(screen.getByText('old-ci').closest('li')?.textContent).toContain('unowned');
  });
});
