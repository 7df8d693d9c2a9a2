import { useState } from 'preact/hooks';
import { Logo } from './logo.tsx';

interface Props {
  busy: boolean;
  error: string | undefined;
  onSubmit: (token: string, remember: boolean) => void;
}

export function SignIn({ busy, error, onSubmit }: Props) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  return (
    <main class="signin">
      <form
        class="card signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(token.trim(), remember);
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
          required
          pattern="efa_.+"
          title="Admin tokens start with efa_"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Remember on this device
        </label>
        {error && (
          <p id="signin-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
