'use client';
/**
 * @edgeflags/react/outcomes — page outcomes for guarded releases from React: one recorder
 * (@edgeflags/browser/outcomes) for the provider's client, created after mount, closed on
 * unmount. A separate entry, so apps without releases load none of it.
 *
 * @example
 * import { useOutcomes } from '@edgeflags/react/outcomes';
 *
 * function Checkout() {
 *   const outcomes = useOutcomes({ url: 'http://127.0.0.1:8787', clientKey: 'efc_LocalDevClientKeyDoNotUseInProd001', captureErrors: true });
 *   return <button onClick={() => outcomes.track('invoice-created', 120)}>Pay</button>;
 * }
 * // React catches render errors itself: report them from an error boundary's componentDidCatch with outcomes.error().
 */
import { type OutcomeOptions, type PageOutcomes, recordOutcomes } from '@edgeflags/browser/outcomes';
import { useEffect, useMemo, useRef } from 'react';
import { useFlagClient } from './use-feature-flag.ts';

export type { OutcomeOptions, PageOutcomes } from '@edgeflags/browser/outcomes';

/** `track` and `error` for this page's outcomes; calls before mount (or on the server) are ignored. */
export function useOutcomes(options: OutcomeOptions): Pick<PageOutcomes, 'track' | 'error'> {
  const client = useFlagClient();
  const current = useRef<PageOutcomes | undefined>(undefined);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const recorder = recordOutcomes(client, latest.current);
    current.current = recorder;
    return () => {
      recorder.close();
      if (current.current === recorder) current.current = undefined;
    };
  }, [client]);
  return useMemo(() => ({ track: (name, value) => current.current?.track(name, value), error: () => current.current?.error() }), []);
}
