import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { ArchiveFlag } from './archive-flag.tsx';

describe('ArchiveFlag', () => {
  it('says clearly that the flag is still in use when another flag depends on it', async () => {
    const f = fakeFetch({
      'DELETE /flags/checkout': () => [
        409,
        { error: { code: 'in_use', message: 'flag "upsell" has "checkout" as a prerequisite in "production"; remove that first' } },
      ],
    });
    render(
      <WithSession routes={f}>
        <ArchiveFlag flag={flag()} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Archive…' }));
    fireEvent.input(screen.getByLabelText('Reason (audit log)'), { target: { value: 'done' } });
    fireEvent.click(screen.getByRole('button', { name: 'Archive flag' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^Still in use\..*"upsell"/);
    expect(screen.getByRole('link', { name: 'See what depends on it' }).getAttribute('href')).toBe('/graph');
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('archives with the reason and leaves the flag page', async () => {
    const notes: string[] = [];
    const f = fakeFetch({ 'DELETE /flags/checkout': () => [200, { key: 'checkout', archived: true }] });
    history.replaceState(null, '', '/flags/checkout');
    render(
      <WithSession routes={f} notes={notes}>
        <ArchiveFlag flag={flag()} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Archive…' }));
    // Environments in the same state share one line.
    expect(changeLines()).toEqual(['Development, Production from Off (serving off) → to archived (SDKs serve their code default)']);
    fireEvent.input(screen.getByLabelText('Reason (audit log)'), { target: { value: 'fully rolled out' } });
    fireEvent.click(screen.getByRole('button', { name: 'Archive flag' }));
    await waitFor(() => expect(location.pathname).toBe('/flags'));
    expect(notes).toEqual(['Archived checkout.']);
    const del = f.calls.find((c) => c.method === 'DELETE');
    expect(del?.query).toBe('?reason=fully%20rolled%20out');
    expect(del?.headers['If-Match']).toBe('"1"');
  });
});
