import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { EnvSwitches } from './env-switches.tsx';

const toggled =
  (env: string) =>
  (body: unknown): [number, unknown] => [
    200,
    {
      flag: 'checkout',
      environment: env,
      config: { version: 4, enabled: (body as { enabled: boolean }).enabled },
      snapshotVersion: 9,
      delivered: 3,
    },
  ];

function setup(me?: Parameters<typeof WithSession>[0]['me']) {
  const f = fakeFetch({
    'POST /flags/checkout/environments/development/toggle': toggled('development'),
    'POST /flags/checkout/environments/production/toggle': toggled('production'),
    'GET /environments/production/hub': () => [
      200,
      {
        version: 9,
        connections: { server: 2, client: 1, ofrep: 0 },
        recent: [{ version: 9, publishedAt: 0, sent: 3, acked: 3, lastAckMs: 41 }],
      },
    ],
  });
  render(
    <WithSession routes={f} me={me}>
      <EnvSwitches flag={flag()} selected="development" onSelect={() => undefined} onChanged={async () => undefined} />
    </WithSession>,
  );
  return f;
}

describe('EnvSwitches', () => {
  it('switches a non-production environment at once', async () => {
    const f = setup();
    fireEvent.click(screen.getByRole('switch', { name: 'checkout in Development' }));
    await waitFor(() => expect(f.calls.some((c) => c.path.endsWith('/development/toggle'))).toBe(true));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks before switching production, then reports delivery from the hub', async () => {
    const f = setup();
    fireEvent.click(screen.getByRole('switch', { name: 'checkout in Production' }));
    expect(f.calls.filter((c) => c.method === 'POST')).toEqual([]);
    const dialog = screen.getByRole('dialog');
    fireEvent.input(screen.getByLabelText('Reason (audit log)'), { target: { value: 'errors' } });
    fireEvent.submit(dialog.querySelector('form')!);
    await screen.findByText(/Switched on in production/);
    expect(f.calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/flags/checkout/environments/production/toggle',
      body: { enabled: true, reason: 'errors' },
    });
    expect(screen.getByTestId('delivered').textContent).toBe('3');
    await screen.findByText(/3 confirmed/);
    expect(screen.getByText(/within 41 ms/)).toBeTruthy();
  });

  it('disables production for an editor without production access', () => {
    setup({ name: 'e', role: 'editor', productionAccess: false });
    expect((screen.getByRole('switch', { name: 'checkout in Production' }) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('switch', { name: 'checkout in Development' }) as HTMLInputElement).disabled).toBe(false);
    expect(ENVIRONMENTS[1]?.production).toBe(true);
  });
});
