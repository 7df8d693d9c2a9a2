import { render } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { DELIVERY_BOUND_MS, DeliveryBanner, overdue } from './delivery-banner.tsx';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const env = (key: string, pendingFor: number | null, error: string | null = null) => ({
  key,
  name: key[0]?.toUpperCase() + key.slice(1),
  deliveryPendingSince: pendingFor === null ? null : NOW - pendingFor,
  deliveryError: error,
});

describe('DeliveryBanner', () => {
  it('says since when, for which environment and why, once delivery is pending past the bound', () => {
    const { getByRole } = render(
      <DeliveryBanner now={NOW} environments={[env('production', DELIVERY_BOUND_MS + 1, 'hub publish failed: SQLITE_TOOBIG')]} />,
    );
    const alert = getByRole('alert');
    expect(alert.textContent).toMatch(/^Delivery pending since .+ for Production: hub publish failed: SQLITE_TOOBIG\./);
    expect(alert.querySelector('time')?.getAttribute('dateTime')).toBe(new Date(NOW - DELIVERY_BOUND_MS - 1).toISOString());
  });

  it('stays hidden while every pending delivery is still within the bound, or none is pending', () => {
    const { container } = render(<DeliveryBanner now={NOW} environments={[env('staging', DELIVERY_BOUND_MS), env('development', null)]} />);
    expect(container.textContent).toBe('');
  });

  it('lists each late environment once, and only those', () => {
    const late = overdue([env('development', null), env('staging', 60_000), env('production', 10 * 60_000, 'KV write failed')], NOW);
    expect(late.map((e) => e.key)).toEqual(['production']);
  });
});
