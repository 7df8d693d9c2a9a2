'use client';

import { type ClientOptions, createClient, type FlagClient } from '@edgeflags/browser';
import { createContext, type ReactNode, useEffect, useRef, useState } from 'react';

export const FlagContext = createContext<FlagClient | undefined>(undefined);

export type FlagProviderProps = { children?: ReactNode } & ({ client: FlagClient } | (ClientOptions & { client?: undefined }));

// Clients this provider closed on unmount. StrictMode unmounts and remounts every effect once
// in development; a remount that finds its client closed makes a fresh one instead of going dead.
const closed = new WeakSet<FlagClient>();
const onServer = typeof window === 'undefined';

/**
 * Gives every hook below it one client: pass `client`, or the options of `createClient` and the
 * provider owns the client (created once, closed on unmount, re-evaluated when `context` changes).
 */
export function FlagProvider(props: FlagProviderProps) {
  const owned = !props.client;
  const options = useRef(props as ClientOptions);
  options.current = props as ClientOptions;
  // A ref, not state: React calls a state initializer twice in StrictMode and would orphan a
  // client with a live stream; a ref's lazy init runs once per mount.
  const ownClient = useRef<FlagClient | null>(null);
  // Server rendering reads bootstrap values only: no stream, and no exposures reported from the
  // server on behalf of a browser that will report its own after hydration.
  if (owned && !ownClient.current)
    ownClient.current = createClient(onServer ? { ...options.current, stream: false, exposures: false } : options.current);
  const [, remounted] = useState(0);
  const client = props.client ?? ownClient.current!;
  const contextJson = JSON.stringify(options.current.context ?? {});
  const lastContext = useRef(contextJson);

  useEffect(() => {
    let mine = ownClient.current;
    if (!owned || !mine) return;
    if (closed.has(mine)) {
      mine = ownClient.current = createClient({ ...options.current, bootstrap: mine.snapshot() });
      remounted((n) => n + 1);
    }
    return () => {
      closed.add(mine);
      mine.close();
    };
  }, [owned]);

  useEffect(() => {
    // Only a real change of attributes re-evaluates; a new object with the same content does not.
    if (owned && lastContext.current !== contextJson) client.setContext(JSON.parse(contextJson));
    lastContext.current = contextJson;
  }, [client, contextJson, owned]);

  return <FlagContext.Provider value={client}>{props.children}</FlagContext.Provider>;
}
