import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client.ts';
import type { Environment, Me } from './api/types.ts';
import type { ChangeListener } from './lib/change-feed.ts';

export interface Session {
  api: Api;
  me: Me;
  environments: Environment[];
  reloadEnvironments: () => Promise<void>;
  signOut: () => void;
  /** Hears every change published in any environment (pushed by the hubs), to refresh what is shown. */
  onChange: (listener: ChangeListener) => () => void;
  /** Announces a result to screen readers and shows it briefly. */
  notify: (message: string, tone?: 'ok' | 'error') => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in app');
  return s;
}
