import { useState } from 'preact/hooks';
import type { AdminTokenBody, RateTier, SdkKeyBody } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Link } from '../components/link.tsx';
import { Pending } from '../components/pending.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { useAsync } from '../hooks/use-async.ts';

const when = (ms: number) => new Date(ms).toLocaleDateString();

/** The fixed tiers the Worker offers (wrangler.toml bindings), with what each allows per location. */
const TIERS: { value: RateTier; label: string }[] = [
  { value: 'standard', label: 'Standard' },
  { value: 'high', label: 'High (5×)' },
];

function TierOptions() {
  return (
    <>
      {TIERS.map((t) => (
        <option key={t.value} value={t.value}>
          {t.label}
        </option>
      ))}
    </>
  );
}

export function KeysPage() {
  const { api, environments, me, notify } = useSession();
  const keys = useAsync(() => Promise.all([api.listSdkKeys(), api.listAdminTokens()]), []);
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<Error>();
  const NEW_SDK: SdkKeyBody = { kind: 'server', environment: environments[0]?.key ?? '', name: '', rateTier: 'standard' };
  const NEW_TOKEN: AdminTokenBody = { name: '', role: 'editor', productionAccess: true };
  const [sdk, setSdk] = useState(NEW_SDK);
  const [tok, setTok] = useState(NEW_TOKEN);
  if (me.role !== 'admin')
    return (
      <section class="page">
        <h1>Keys</h1>
        <p>Only admins manage SDK keys and admin tokens.</p>
      </section>
    );

  /** Runs a create or revoke; true when it worked (the create forms then start over, empty). */
  const run = async (fn: () => Promise<{ secret?: string } | unknown>, done: string) => {
    setError(undefined);
    try {
      const r = (await fn()) as { secret?: string };
      if (r.secret) setSecret(r.secret);
      notify(done);
      void keys.reload(true);
      return true;
    } catch (e) {
      setError(e as Error);
      return false;
    }
  };
  const [sdkKeys, tokens] = keys.data ?? [{ keys: [] }, { tokens: [] }];
  return (
    <section class="page">
      <h1>Keys and tokens</h1>
      <p class="muted small">
        People signed in through Cloudflare Access need no token: <Link href="/people">their roles, by email or group</Link>.
      </p>
      {secret && <SecretOnce secret={secret} onDismiss={() => setSecret(undefined)} />}
      <ErrorNote error={error ?? keys.error} />
      <Pending state={keys} what="keys and tokens" />
      <div class="panel">
        <h2>SDK keys</h2>
        <p class="muted small">
          Server keys (efs_) are secrets and receive rules; client keys (efc_) are public and receive only evaluated, client-visible flags.
        </p>
        <p class="muted small">
          Rate limit per location: standard allows a server key 1,000 requests a second and a client key 100 a second per caller, for
          evaluations, events and streams each; high allows five times that.
        </p>
        <form
          class="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.createSdkKey(sdk), `Created ${sdk.kind} key ${sdk.name}.`).then((ok) => ok && setSdk(NEW_SDK));
          }}
        >
          <div class="field">
            <label for="sdk-name">Name</label>
            <input
              id="sdk-name"
              required
              value={sdk.name}
              onInput={(e) => setSdk({ ...sdk, name: e.currentTarget.value })}
              placeholder="checkout-service"
            />
          </div>
          <div class="field">
            <label for="sdk-kind">Kind</label>
            <select id="sdk-kind" value={sdk.kind} onChange={(e) => setSdk({ ...sdk, kind: e.currentTarget.value as SdkKeyBody['kind'] })}>
              <option value="server">server</option>
              <option value="client">client</option>
            </select>
          </div>
          <div class="field">
            <label for="sdk-env">Environment</label>
            <select id="sdk-env" value={sdk.environment} onChange={(e) => setSdk({ ...sdk, environment: e.currentTarget.value })}>
              {environments.map((x) => (
                <option key={x.key} value={x.key}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="sdk-tier">Rate limit</label>
            <select id="sdk-tier" value={sdk.rateTier} onChange={(e) => setSdk({ ...sdk, rateTier: e.currentTarget.value as RateTier })}>
              <TierOptions />
            </select>
          </div>
          <button type="submit" class="btn btn-primary">
            Create SDK key
          </button>
        </form>
        <ul class="list">
          {sdkKeys.keys.map((k) => (
            <li key={k.id} class={`list-item ${k.revokedAt ? 'revoked' : ''}`}>
              <div class="list-main">
                <strong>{k.name}</strong> <code>{k.hint}</code> <span class="badge">{k.kind}</span>{' '}
                <span class="badge">{k.environment}</span>
                <div class="muted small">
                  created {when(k.createdAt)}
                  {k.revokedAt ? ` · revoked ${when(k.revokedAt)}` : ''}
                </div>
              </div>
              {!k.revokedAt && (
                <select
                  class="tier-select"
                  aria-label={`Rate limit of ${k.name}`}
                  value={k.rateTier}
                  onChange={(e) => {
                    const rateTier = e.currentTarget.value as RateTier;
                    void run(() => api.updateSdkKey(k.id, { rateTier }), `${k.name}: ${rateTier} rate limit, in effect within 15 s.`);
                  }}
                >
                  <TierOptions />
                </select>
              )}
              {!k.revokedAt && (
                <button
                  type="button"
                  class="btn btn-sm btn-danger-text"
                  aria-label={`Revoke SDK key ${k.name}`}
                  onClick={() =>
                    confirm(`Revoke ${k.name}? SDKs using it stop within 30 s.`) &&
                    void run(() => api.revokeSdkKey(k.id), `Revoked ${k.name}.`)
                  }
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
      <div class="panel">
        <h2>Admin tokens</h2>
        <form
          class="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.createAdminToken(tok), `Created admin token ${tok.name}.`).then((ok) => ok && setTok(NEW_TOKEN));
          }}
        >
          <div class="field">
            <label for="tok-name">Name</label>
            <input
              id="tok-name"
              required
              value={tok.name}
              onInput={(e) => setTok({ ...tok, name: e.currentTarget.value })}
              placeholder="priya (product)"
            />
          </div>
          <div class="field">
            <label for="tok-role">Role</label>
            <select
              id="tok-role"
              value={tok.role}
              onChange={(e) => setTok({ ...tok, role: e.currentTarget.value as AdminTokenBody['role'] })}
            >
              <option value="viewer">viewer: read only</option>
              <option value="editor">editor: change flags</option>
              <option value="admin">admin: also keys and environments</option>
            </select>
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={tok.productionAccess}
              onChange={(e) => setTok({ ...tok, productionAccess: e.currentTarget.checked })}
            />
            May change production
          </label>
          <button type="submit" class="btn btn-primary">
            Create admin token
          </button>
        </form>
        <ul class="list">
          {tokens.tokens.map((t) => (
            <li key={t.id} class={`list-item ${t.revokedAt ? 'revoked' : ''}`}>
              <div class="list-main">
                <strong>{t.name}</strong> <code>{t.hint}</code> <span class="badge">{t.role}</span>
                {!t.productionAccess && <span class="badge">no production</span>}
                <div class="muted small">
                  {t.owner ? `${t.owner}'s` : 'unowned'} · created {when(t.createdAt)}
                  {t.revokedAt ? ` · revoked ${when(t.revokedAt)}` : ''}
                </div>
              </div>
              {!t.revokedAt && (
                <button
                  type="button"
                  class="btn btn-sm btn-danger-text"
                  aria-label={`Revoke admin token ${t.name}`}
                  onClick={() =>
                    confirm(`Revoke ${t.name}? It stops at once.`) && void run(() => api.revokeAdminToken(t.id), `Revoked ${t.name}.`)
                  }
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
