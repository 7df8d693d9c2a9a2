import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { FlagsPage } from './flags-page.tsx';
import { SegmentsPage } from './segments-page.tsx';

// Issue 12 §4 "Forms, navigation and states": an unreachable API is not an empty list, and a page
// says it is loading instead of showing nothing.
describe('page states', () => {
  it('says the flags could not be loaded when the API is unreachable, not "No flags match"', async () => {
    let down = true;
    const ok = fakeFetch({ 'GET /flags': () => [200, { flags: [] }], 'GET /releases': () => [200, { releases: [] }] });
    const fetch: typeof globalThis.fetch = (input, init) =>
      down ? Promise.reject(new TypeError('Failed to fetch')) : ok.fetch(input, init);
    render(
      <WithSession routes={{ fetch, calls: [] }}>
        <FlagsPage />
      </WithSession>,
    );
    await screen.findByText(/cannot reach the edgeflags API/);
    expect(screen.getByText(/The flags could not be loaded/)).toBeTruthy();
    expect(screen.queryByText(/No flags match/)).toBeNull();
    down = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText(/No flags match/);
  });

  it('shows "Loading segments…" until the segments arrive', async () => {
    let answer: (v: Response) => void = () => undefined;
    const fetch: typeof globalThis.fetch = () => new Promise<Response>((r) => (answer = r));
    render(
      <WithSession routes={{ fetch, calls: [] }}>
        <SegmentsPage />
      </WithSession>,
    );
    expect(screen.getByRole('status').textContent).toBe('Loading segments…');
    answer(new Response(JSON.stringify({ segments: [] }), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    await screen.findByText('No segments in this environment yet.');
    await waitFor(() => expect(screen.queryByText('Loading segments…')).toBeNull());
  });
});
