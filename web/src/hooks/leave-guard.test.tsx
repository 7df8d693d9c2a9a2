import { act, fireEvent, render, screen } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { Link } from '../components/link.tsx';
import { MetadataForm } from '../components/metadata-form.tsx';
import { SegmentForm } from '../components/segment-form.tsx';
import { navigate } from './use-route.ts';

// Issue 12 §4: unsaved edits prompt before navigation.
// Testing Library's cleanup does not run Preact 11 effect cleanups; the app unmounts editors from a
// parent (as here), which does, so each test's dirty editor is gone before the next test.
let unmount: () => void = () => undefined;
function Host({ children }: { children: ComponentChildren }) {
  const [on, setOn] = useState(true);
  unmount = () => setOn(false);
  return on ? children : null;
}

describe('leaving with unsaved edits', () => {
  afterEach(() => {
    act(() => unmount());
    vi.unstubAllGlobals();
    history.replaceState(null, '', '/');
  });

  it('asks before a link leaves an edited form, and stays when the answer is no', () => {
    history.replaceState(null, '', '/flags/checkout');
    const ask = vi.fn(() => false);
    vi.stubGlobal('confirm', ask);
    render(
      <Host>
        <WithSession routes={fakeFetch({})}>
          <Link href="/audit">Audit log</Link>
          <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
        </WithSession>
      </Host>,
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
      <Host>
        <WithSession routes={fakeFetch({})}>
          <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
        </WithSession>
      </Host>,
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
      <Host>
        <WithSession routes={fakeFetch({})}>
          <SegmentForm env="development" onDone={() => undefined} />
        </WithSession>
      </Host>,
    );
    const before = new Event('beforeunload', { cancelable: true });
    dispatchEvent(before);
    expect(before.defaultPrevented).toBe(false);
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Beta' } });
    const after = new Event('beforeunload', { cancelable: true });
    dispatchEvent(after);
    expect(after.defaultPrevented).toBe(true);
  });

  it('puts the page back when Back is pressed over unsaved edits and the admin stays', () => {
    history.replaceState(null, '', '/flags');
    const ask = vi.fn(() => false);
    vi.stubGlobal('confirm', ask);
    navigate('/flags/checkout');
    expect(location.pathname).toBe('/flags/checkout');
    render(
      <Host>
        <WithSession routes={fakeFetch({})}>
          <MetadataForm flag={flag()} canEdit onSaved={() => undefined} />
        </WithSession>
      </Host>,
    );
    fireEvent.input(screen.getByLabelText('Owner'), { target: { value: 'someone else' } });
    // What the browser does on Back: the URL changes first, then popstate.
    history.replaceState(null, '', '/flags');
    dispatchEvent(new PopStateEvent('popstate'));
    expect(ask).toHaveBeenCalledTimes(1);
    expect(location.pathname).toBe('/flags/checkout');
    expect((screen.getByLabelText('Owner') as HTMLInputElement).value).toBe('someone else');
  });
});
