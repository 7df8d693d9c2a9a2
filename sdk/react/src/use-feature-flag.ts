'use client';

import { createClient, type FlagClient, type FlagValue } from '@edgeflags/browser';
import type { FlagKey, ValueOf, VariantOf } from '@edgeflags/core';
import { useCallback, useContext, useSyncExternalStore } from 'react';
import { FlagContext } from './flag-provider.tsx';

let orphan: FlagClient | undefined;

/** The provider's client; outside a provider, an empty client so hooks answer fallbacks, never throw. */
export function useFlagClient(): FlagClient {
  const client = useContext(FlagContext);
  orphan ??= client
    ? undefined
    : createClient({
        url: '',
        clientKey: '',
        bootstrap: { environment: '', version: 0, flags: {} },
        storage: null,
        stream: false,
        exposures: false,
      });
  return client ?? orphan!;
}

/**
 * Subscribes the calling component to `key` alone. The store snapshot is that flag's result,
 * whose identity the client keeps while its content is unchanged, so a change to another flag
 * neither wakes this component nor re-renders it.
 */
function useFlag(key: string): FlagClient {
  const client = useFlagClient();
  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange, key), [client, key]);
  const result = () => client.snapshot()?.flags[key];
  const loading = () => client.loading;
  useSyncExternalStore(subscribe, result, result);
  useSyncExternalStore(subscribe, loading, loading);
  return client;
}

export interface FeatureFlag<K extends FlagKey> {
  enabled: boolean;
  variant: VariantOf<K> | undefined;
  /** True only while nothing is known yet: never when bootstrapped or served from the cache. */
  loading: boolean;
}

/** `{ enabled, variant, loading }` of one flag; reading it records the exposure. */
export function useFeatureFlag<K extends FlagKey>(key: K): FeatureFlag<K> {
  const client = useFlag(key);
  return { enabled: client.isEnabled(key), variant: client.variant(key), loading: client.loading };
}

/** The flag's value, or `fallback` while loading, when missing, in error or of another type. */
export function useFlagValue<K extends FlagKey, T extends ValueOf<K>>(key: K, fallback: T): FlagValue<K, T> {
  return useFlag(key).value(key, fallback);
}
