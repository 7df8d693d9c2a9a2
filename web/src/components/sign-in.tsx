import { useEffect, useRef, useState } from 'preact/hooks';
import { Logo } from './logo.tsx';

interface Props {
  busy: boolean;
  error: string | undefined;
  onSubmit: (token: string, remember: boolean) => void;
}

// SDK keys look like tokens and get pasted here; they cannot sign in, and saying "unknown token"
// about a valid key sent people looking for a revocation that never happened.
const KEY_KINDS: [string, string][] = [
  ['efs_', 'That is a server SDK key (efs_…): it lets a server read flags, not sign in here. Use an admin token (efa_…).'],
  ['efc_', 'That is a client SDK key (efc_…): it is public and cannot sign in. Use an admin token (efa_…).'],
];

/** Why `token` cannot be an admin token, before asking the API; undefined when it may be one. */
export function tokenProblem(token: string): string | undefined {
  const key = KEY_KINDS.find(([prefix]) => token.startsWith(prefix));
  if (key) return key[1];
  if (!token.startsWith('efa_')) return 'That is not an edgeflags admin token: they start with efa_.';
  return undefined;
}

export function SignIn({ busy, error, onSubmit }: Props) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [problem, setProblem] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const shown = problem ?? error;
  // The only thing to do on this screen is paste a token: the field has focus, and gets it back after an error.
  useEffect(() => input.current?.focus(), [shown]);
  return (
    <main class="signin">
      <form
        class="card signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          const t = token.trim();
          const why = tokenProblem(t);
          setProblem(why);
          if (!why) onSubmit(t, remember);
        }}
      >
        <Logo />
        <h1>Sign in</h1>
        <p class="muted">Paste an admin token (efa_…). Ask an admin for one, or use the bootstrap token from your deployment.</p>
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          spellcheck={false}
          ref={input}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={!!shown}
          aria-describedby={shown ? 'signin-error' : undefined}
        />
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Remember on this device
        </label>
        {shown && (
          <p id="signin-error" class="field-error" role="alert">
            {shown}
          </p>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
