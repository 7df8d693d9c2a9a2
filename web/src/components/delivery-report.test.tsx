import { render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import type { WriteResult } from '../api/types.ts';
import { DeliveryReport } from './delivery-report.tsx';

const killed = (delivery: 'delivered' | 'pending'): WriteResult => ({
  flag: 'checkout',
  environment: 'production',
  config: { version: 4, enabled: false } as WriteResult['config'],
  snapshotVersion: 9,
  delivered: 3,
  delivery,
});

function routes(deliveredVersion: { v: number }) {
  return fakeFetch({
    'GET /environments/production/hub': () => [
      200,
      {
        version: 9,
        connections: { server: 2, client: 1, ofrep: 0 },
        recent: [{ version: 9, publishedAt: 0, sent: 3, acked: 2, lastAckMs: 17 }],
      },
    ],
    'GET /environments': () => [
      200,
      { environments: ENVIRONMENTS.map((e) => (e.key === 'production' ? { ...e, deliveredVersion: deliveredVersion.v } : e)) },
    ],
  });
}

// Issue 12 §4: the kill switch's report says how fast clients got it, and never states a success that no longer holds.
describe('DeliveryReport', () => {
  it('reports how many clients confirmed and how fast, from the hub’s ack timing', async () => {
    render(
      <WithSession routes={routes({ v: 9 })}>
        <DeliveryReport result={killed('delivered')} live={{ enabled: false, version: 4 }} />
      </WithSession>,
    );
    expect(screen.getByRole('status').textContent).toMatch(/^Switched off in production: pushed to 3 connected clients/);
    await waitFor(() => expect(screen.getByTestId('acked').textContent).toBe(', 2 of 3 confirmed within 17 ms'));
    expect(screen.getByRole('status').textContent).toContain('3 streams connected now.');
  });

  it('turns "delivery pending" into delivered once the environment’s delivered version reaches the switch', async () => {
    const delivered = { v: 8 };
    render(
      <WithSession routes={routes(delivered)}>
        <DeliveryReport result={killed('pending')} live={{ enabled: false, version: 4 }} />
      </WithSession>,
    );
    await screen.findByText('Delivery pending.');
    delivered.v = 9;
    await screen.findByText('Delivered since: the edge serves it now.', undefined, { timeout: 3000 });
    expect(screen.queryByText('Delivery pending.')).toBeNull();
  });

  it('replaces the success line when the flag changed again since the switch', async () => {
    const f = routes({ v: 9 });
    const view = render(
      <WithSession routes={f}>
        <DeliveryReport result={killed('delivered')} live={{ enabled: false, version: 4 }} />
      </WithSession>,
    );
    expect(screen.getByRole('status').textContent).toMatch(/^Switched off/);
    view.rerender(
      <WithSession routes={f}>
        <DeliveryReport result={killed('delivered')} live={{ enabled: true, version: 5 }} />
      </WithSession>,
    );
    expect(screen.getByRole('status').textContent).toBe('Changed again since your switch: checkout is now on in production (version 5).');
    expect(screen.queryByText(/Switched off/)).toBeNull();
  });
});
