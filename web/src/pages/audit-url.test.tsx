import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { AuditPage } from './audit-page.tsx';

// Issue 12 §4: filters live in the URL (the audit log's too).
describe('AuditPage filters', () => {
  afterEach(() => history.replaceState(null, '', '/'));

  it('starts from the filters in the URL and writes changes back', async () => {
    history.replaceState(null, '', '/audit?actor=alice&env=production');
    const f = fakeFetch({ 'GET /audit': () => [200, { entries: [], next: null }] });
    render(
      <WithSession routes={f}>
        <AuditPage />
      </WithSession>,
    );
    await screen.findByText('No entries match.');
    expect(f.calls[0]?.query).toContain('actor=alice');
    expect(f.calls[0]?.query).toContain('environment=production');
    expect((screen.getByLabelText('Actor') as HTMLInputElement).value).toBe('alice');
    fireEvent.change(screen.getByLabelText('Environment'), { target: { value: '' } });
    await waitFor(() => expect(location.pathname + location.search).toBe('/audit?actor=alice'));
  });
});
