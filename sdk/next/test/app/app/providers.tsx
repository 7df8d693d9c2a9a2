'use client';

import type { ClientOptions } from '@edgeflags/browser';
import { FlagProvider } from '@edgeflags/react';
import type { ReactNode } from 'react';

/**
 * `FlagProvider` holds state, so a Server Component layout renders it through a Client
 * Component. Exposures only from the browser: during SSR the provider's client would read the
 * same flags and report them again from the server.
 */
export function Providers(props: ClientOptions & { children: ReactNode }) {
  return <FlagProvider {...props} exposures={typeof window !== 'undefined'} />;
}
