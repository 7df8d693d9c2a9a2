import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from './api/client.ts';
import type { Environment, Me } from './api/types.ts';
import { type Session, SessionContext } from './app-context.ts';
import { AppShell } from './components/app-shell.tsx';
import { SignIn } from './components/sign-in.tsx';
import { Toast, type ToastMessage } from './components/toast.tsx';
import { type ChangeListener, openChangeFeed } from './lib/change-feed.ts';
import { clearToken, loadToken, saveToken } from './lib/session.ts';
import { Routes } from './routes.tsx';

/** The API base URL: same origin unless the Pages build was told otherwise (see README). */
const API_BASE = import.meta.env.VITE_API_BASE ?? '';

type State =
  | { phase: 'signed-out'; error?: string }
  | { phase: 'checking' }
  /** `token` is '' when Cloudflare Access signed the person in (docs/identity.md). */
  | { phase: 'ready'; token: string; me: Me; environments: Environment[] };

/** Checks a token against the API and learns its role; throws ApiError on a bad token. */
async function open(token: string): Promise<{ me: Me; environments: Environment[] }> {
  const api = createApi({ baseUrl: API_BASE, token });
  const { environments } = await api.listEnvironments();
  const me = await api.me();
  return { me, environments };
}

/**
 * Behind Cloudflare Access the browser already carries the person's sign-in (a same-origin
 * cookie), so the app asks the API without a token first; only a 401 shows the token form.
 */
async function tryAccess(): Promise<State> {
  try {
    return { phase: 'ready', token: '', ...(await open('')) };
  } catch (e) {
    // 403: signed in through Access, but without a role; say so rather than ask for a token.
    return { phase: 'signed-out', error: e instanceof ApiError && e.status === 403 ? e.message : undefined };
  }
}

export function App() {
  const [state, setState] = useState<State>({ phase: 'checking' });
  const [toast, setToast] = useState<ToastMessage>();

  const signIn = useCallback(async (token: string, remember: boolean) => {
    setState({ phase: 'checking' });
    try {
      const opened = await open(token);
      saveToken(token, remember);
      setState({ phase: 'ready', token, ...opened });
    } catch (e) {
      clearToken();
      const message =
        e instanceof ApiError && e.status === 401
          ? 'That admin token is unknown or revoked: check you copied all of it, or ask an admin for a new one.'
          : (e as Error).message;
      setState({ phase: 'signed-out', error: message });
    }
  }, []);

  useEffect(() => {
    const token = loadToken();
    if (token) void signIn(token, localStorage.getItem('edgeflags.token') === token);
    else void tryAccess().then(setState);
  }, [signIn]);

  // One push stream per environment for as long as the session lasts. Pages subscribe to a
  // stable set (their effects run before this one), and the feed fans out to it.
  const listeners = useRef(new Set<ChangeListener>());
  const onChange = useCallback((listener: ChangeListener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const token = state.phase === 'ready' ? state.token : undefined;
  const envKeys = state.phase === 'ready' ? state.environments.map((e) => e.key).join(',') : '';
  useEffect(() => {
    if (token === undefined || !envKeys) return;
    const feed = openChangeFeed({ baseUrl: API_BASE, token, environments: envKeys.split(',') });
    feed.subscribe((env, flags) => {
      for (const l of listeners.current) l(env, flags);
    });
    return () => feed.close();
  }, [token, envKeys]);

  if (state.phase !== 'ready') {
    return <SignIn busy={state.phase === 'checking'} error={state.phase === 'signed-out' ? state.error : undefined} onSubmit={signIn} />;
  }

  const api = createApi({ baseUrl: API_BASE, token: state.token });
  const session: Session = {
    api,
    me: state.me,
    environments: state.environments,
    reloadEnvironments: async () => {
      const { environments } = await api.listEnvironments();
      setState({ ...state, environments });
    },
    signOut: () => {
      clearToken();
      setState({ phase: 'signed-out' });
    },
    notify: (text, tone = 'ok') => setToast({ text, tone, at: Date.now() }),
    onChange,
  };
  return (
    <SessionContext.Provider value={session}>
      <AppShell>
        <Routes />
      </AppShell>
      <Toast message={toast} />
    </SessionContext.Provider>
  );
}
