import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, config, confirmWith, ENVIRONMENTS, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { FlagDetail } from '../api/types.ts';
import { EnvSwitches } from './env-switches.tsx';

const toggled =
  (env: string, delivery: 'delivered' | 'pending' = 'delivered') =>
  (body: unknown): [number, unknown] => [
    200,
    {
      flag: 'checkout',
      environment: env,
      config: { version: 4, enabled: (body as { enabled: boolean }).enabled },
      snapshotVersion: 9,
      delivered: 3,
      delivery,
    },
  ];

function setup(opts: { me?: Parameters<typeof WithSession>[0]['me']; flag?: FlagDetail; delivery?: 'delivered' | 'pending' } = {}) {
  const f = fakeFetch({
    'POST /flags/checkout/environments/development/toggle': toggled('development'),
    'POST /flags/checkout/environments/production/toggle': toggled('production', opts.delivery),
    'POST /flags/checkout/environments/production/impact': () => [200, { sampled: 200, changed: 48, examples: [] }],
    'GET /environments/production/hub': () => [
      200,
      {
        version: 9,
        connections: { server: 2, client: 1, ofrep: 0 },
        recent: [{ version: 9, publishedAt: 0, sent: 3, acked: 3, lastAckMs: 41 }],
      },
    ],
  });
  const notes: string[] = [];
  render(
    <WithSession routes={f} me={opts.me} notes={notes}>
      <EnvSwitches flag={opts.flag ?? flag()} selected="development" onSelect={() => undefined} onChanged={async () => undefined} />
    </WithSession>,
  );
  return { ...f, notes };
}

const confirmButton = (name: string | RegExp) => screen.getByRole('button', { name }) as HTMLButtonElement;
const impact = () => screen.findByText(/of 200 recent contexts would get a different value/, undefined, { timeout: 3000 });
const posts = (f: ReturnType<typeof setup>) => f.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/toggle'));

describe('EnvSwitches', () => {
  it('switches a non-production environment at once, with the version it showed', async () => {
    const f = setup();
    fireEvent.click(screen.getByRole('switch', { name: 'checkout in Development' }));
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]?.headers['If-Match']).toBe('"3"');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('turns production on only after saying what changes, who it reaches and why, guarded by the version', async () => {
    const prod = config('production', {
      enabled: false,
      defaultServe: {
        split: [
          { variant: 'on', weight: 25 },
          { variant: 'off', weight: 75 },
        ],
      },
    });
    const f = setup({ flag: flag({ environments: { development: config('development'), production: prod } }) });
    fireEvent.click(screen.getByRole('switch', { name: 'checkout in Production' }));
    expect(posts(f)).toEqual([]);
    expect(changeLines()).toEqual(['State from Off (everyone gets off) → to On (25% on)']);
    expect((await impact()).textContent).toMatch(/^48 of 200/);
    // The impact preview asked about exactly this move: the stored configuration, switched on.
    expect(f.calls.find((c) => c.path.endsWith('/impact'))?.body).toMatchObject({ enabled: true, defaultServe: prod.defaultServe });
    // Not an emergency: it needs a reason before it can be confirmed.
    expect(confirmButton('Turn on in production').disabled).toBe(true);
    confirmWith('launch day');
    await screen.findByText(/Switched on in production/);
    expect(posts(f)[0]).toMatchObject({ body: { enabled: true, reason: 'launch day' }, headers: { 'If-Match': '"3"' } });
    expect(posts(f)[0]?.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByTestId('delivered').textContent).toBe('3');
    await waitFor(() => expect(screen.getByTestId('acked').textContent).toBe(', all confirmed within 41 ms'));
  });

  it('presents the kill switch as the emergency action: what users get, no version, reason optional', async () => {
    const on = config('production', { enabled: true, defaultServe: { variant: 'on' } });
    const f = setup({ flag: flag({ environments: { development: config('development'), production: on } }) });
    const toggle = screen.getByRole('switch', { name: 'checkout in Production' });
    // The card names the move before anyone reaches for it.
    expect(document.getElementById(toggle.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Off = kill switch');
    fireEvent.click(toggle);
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Emergency action.');
    expect(screen.getByRole('dialog', { name: 'Kill switch: checkout in Production' })).toBe(dialog);
    expect(dialog.textContent).toContain('Every connected client in Production gets this at once. Everyone is served "off"');
    expect(changeLines()).toEqual(['State from On (on) → to Off (everyone gets off)']);
    // Who it reaches, before confirming: the streams the hub counts in production now.
    expect((await screen.findByTestId('connected-now')).textContent).toBe(': 3 connected now (2 server, 1 browser, 0 OFREP)');
    await impact();
    const button = confirmButton('Kill switch — serve off to everyone');
    expect(button.disabled).toBe(false);
    confirmWith();
    await screen.findByText(/Switched off in production/);
    expect(posts(f)[0]?.body).toEqual({ enabled: false });
    expect(posts(f)[0]?.headers['If-Match']).toBeUndefined();
  });

  it('for a maintenance switch, on is the protective move and is said to be disruptive; off is guarded', async () => {
    const maintenance = flag({ protectiveState: 'on' });
    const f = setup({ flag: maintenance, delivery: 'pending' });
    fireEvent.click(screen.getByRole('switch', { name: 'checkout in Production' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Emergency action.');
    expect(dialog.textContent).toMatch(/protective state is ON .*disruptive/);
    confirmWith('database migration');
    await screen.findByText(/Delivery pending\./);
    expect(posts(f)[0]).toMatchObject({ body: { enabled: true, reason: 'database migration' } });
    expect(posts(f)[0]?.headers['If-Match']).toBeUndefined();
    expect(f.notes[0]).toMatch(/not yet delivered/);
  });

  it('disables production for an editor without production access', () => {
    setup({ me: { id: 'tok-e', name: 'e', role: 'editor', productionAccess: false } });
    expect((screen.getByRole('switch', { name: 'checkout in Production' }) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('switch', { name: 'checkout in Development' }) as HTMLInputElement).disabled).toBe(false);
    expect(ENVIRONMENTS[1]?.production).toBe(true);
  });
});
