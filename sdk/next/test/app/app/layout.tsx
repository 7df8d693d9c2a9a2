import { getFlags } from '@edgeflags/next/server';
import type { ReactNode } from 'react';
import { FlagsClient } from './flags-client';
import { Providers } from './providers';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const flags = await getFlags();
  // Read per request, so one build serves any environment; the client key is public by design.
  const url = process.env.EDGEFLAGS_PUBLIC_URL ?? process.env.EDGEFLAGS_URL ?? '';
  const clientKey = process.env.EDGEFLAGS_CLIENT_KEY ?? '';
  return (
    <html lang="en">
      <body>
        <Providers url={url} clientKey={clientKey} context={flags.context} bootstrap={flags.bootstrap}>
          {flags.isEnabled('maintenance-mode') ? <p id="maintenance">Down for maintenance</p> : children}
          <FlagsClient />
        </Providers>
      </body>
    </html>
  );
}
