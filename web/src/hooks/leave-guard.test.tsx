import { fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { Link } from '../components/link.tsx';
import { MetadataForm } from '../components/metadata-form.tsx';
import { SegmentForm } from '../components/segment-form.tsx';

// Issue 12 §4: unsaved edits prompt before navigation.
describe('leaving with unsaved edits', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    history.replaceState(null, '', '/');
  });

  it('asks before a link leaves an edited form, and stays when the answer is no', () => {
    history.replaceState(null, '', '/flags/checkout');
    const ask = vi.fn(() => false);
    vi.stubGlobal('confirm', ask);
    render(
      <WithSession routes={fakeFetch({})}>
        <Link href="/audit">Audit log</Link>
        <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    // Untouched: leaving is free.
    fireEvent.click(screen.getByText('Audit log'));
    expect(ask).not.toHaveBeenCalled();
    expect(location.pathname).toBe('/audit');
    history.replaceState(null, '', '/flags/checkout');

    fireEvent.input(screen.getByLabelText('Owner'), { target: { value: 'someone else' } });
    fireEvent.click(screen.getByText('Audit log'));
    expect(ask).toHaveBeenCalledTimes(1);
    expect(location.pathname).toBe('/flags/checkout');

    ask.mockReturnValue(true);
    fireEvent.click(screen.getByText('Audit log'));
    expect(location.pathname).toBe('/audit');
  });

  it('marks the page so closing or reloading the tab asks too', () => {
    render(
      <WithSession routes={fakeFetch({})}>
        <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
      </WithSession>,
    );
    const clean = new Event('beforeunload', { cancelable: true });
    dispatchEvent(clean);
    expect(clean.defaultPrevented).toBe(false);
    fireEvent.input(screen.getByLabelText('Owner'), { target: { value: 'someone else' } });
    const dirty = new Event('beforeunload', { cancelable: true });
    dispatchEvent(dirty);
    expect(dirty.defaultPrevented).toBe(true);
  });

  it('guards a segment being edited too', () => {
    render(
      <WithSession routes={fakeFetch({})}>
        <SegmentForm env="development" onDone={() => undefined} />
      </WithSession>,
    );
    const before = new Event('beforeunload', { cancelable: true });
    dispatchEvent(before);
    expect(before.defaultPrevented).toBe(false);
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Beta' } });
    const after = new Event('beforeunload', { cancelable: true });
    dispatchEvent(after);
    expect(after.defaultPrevented).toBe(true);
  });
});
