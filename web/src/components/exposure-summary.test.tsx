import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { ExposureSummary } from './exposure-summary.tsx';

describe('ExposureSummary', () => {
  it('shows each environment’s exposures per variant, naming the SDK fallback', async () => {
    const f = fakeFetch({
      'GET /environments/development/exposures': () => [200, { environment: 'development', since: 0, flags: {} }],
      'GET /environments/production/exposures': () => [
        200,
        { environment: 'production', since: 0, flags: { checkout: { off: 1500, on: 40, '': 3 } } },
      ],
    });
    render(
      <WithSession routes={f}>
        <ExposureSummary flagKey="checkout" variants={['on', 'off']} environments={ENVIRONMENTS} />
      </WithSession>,
    );
    const production = await screen.findByText('SDK fallback');
    const row = production.closest('li')!;
    expect(row.textContent).toContain('on 40');
    expect(row.textContent).toContain(`off ${(1500).toLocaleString()}`);
    expect(row.textContent).toContain('SDK fallback 3');
    // The flag's own variants first, in their order, then the fallback.
    expect([...row.querySelectorAll('.exposure-count')].map((e) => e.textContent?.split(' ')[0])).toEqual(['on', 'off', 'SDK']);
    expect(screen.getByText('no exposures').closest('li')?.textContent).toContain('Development');
    expect(f.calls.map((c) => c.path)).toContain('/environments/production/exposures');
  });
});
