import { useState } from 'preact/hooks';
import type { Body } from '../api/app-types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Pending } from '../components/pending.tsx';
import { useAsync } from '../hooks/use-async.ts';

type Binding = Body<'/role-bindings', 'post'>;
type Kind = Binding['kind'];
type Role = Binding['role'];

const EMPTY = { kind: 'email' as Kind, subject: '', role: 'viewer' as Role, productionAccess: false };

/**
 * Who may do what when people sign in through Cloudflare Access (docs/identity.md): a role per
 * email or Access group. Deleting a binding takes the role away at the person's next request.
 */
export function PeoplePage() {
  const { api, me, notify } = useSession();
  const list = useAsync(() => api.roleBindings(), []);
  const [draft, setDraft] = useState(EMPTY);
  const [error, setError] = useState<Error>();
  if (me.role !== 'admin')
    return (
      <section class="page">
        <h1>People</h1>
        <p>Only admins manage who signs in with which role.</p>
      </section>
    );

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await fn();
      notify(done);
      void list.reload(true);
      return true;
    } catch (e) {
      setError(e as Error);
      return false;
    }
  };
  const data = list.data;
  return (
    <section class="page">
      <h1>People and groups</h1>
      <p class="muted small">
        People signed in through Cloudflare Access get the role bound to their email, or the highest of their Access groups’ roles.
      </p>
      {data && !data.access && (
        <p class="banner banner-warn" role="note">
          Cloudflare Access sign-in is not configured on this Worker (ACCESS_TEAM_DOMAIN, ACCESS_AUD): these bindings apply once it is.
        </p>
      )}
      <ErrorNote error={error ?? list.error} />
      <Pending state={list} what="role bindings" />
      <div class="panel">
        <h2>Add a binding</h2>
        <form
          class="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            const body: Binding = { ...draft, productionAccess: draft.role === 'admin' || draft.productionAccess };
            void act(() => api.createRoleBinding(body), `${draft.subject} is now ${draft.role}.`).then((ok) => ok && setDraft(EMPTY));
          }}
        >
          <div class="field">
            <label for="rb-kind">Who</label>
            <select id="rb-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as Kind })}>
              <option value="email">a person (email)</option>
              <option value="group">an Access group</option>
            </select>
          </div>
          <div class="field">
            <label for="rb-subject">{draft.kind === 'email' ? 'Email' : 'Group name or id'}</label>
            <input
              id="rb-subject"
              required
              inputMode={draft.kind === 'email' ? 'email' : 'text'}
              autoComplete="off"
              value={draft.subject}
              placeholder={draft.kind === 'email' ? 'ada@example.com' : 'flag-admins'}
              onInput={(e) => setDraft({ ...draft, subject: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="rb-role">Role</label>
            <select id="rb-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })}>
              <option value="viewer">viewer: read only</option>
              <option value="editor">editor: change flags</option>
              <option value="admin">admin: also keys, environments and people</option>
            </select>
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.role === 'admin' || draft.productionAccess}
              disabled={draft.role === 'admin'}
              onChange={(e) => setDraft({ ...draft, productionAccess: e.currentTarget.checked })}
            />
            May change production
          </label>
          <button type="submit" class="btn btn-primary">
            Add binding
          </button>
        </form>
      </div>
      <div class="panel">
        <h2>Bindings</h2>
        {data && data.bindings.length === 0 && <p class="muted">No bindings yet: only the bootstrap admins below can sign in as admins.</p>}
        <ul class="list" aria-label="Role bindings">
          {data?.bindings.map((b) => (
            <li key={b.id} class="list-item">
              <div class="list-main">
                <strong>{b.subject}</strong> <span class="badge">{b.kind === 'email' ? 'person' : 'group'}</span>{' '}
                <span class="badge">{b.role}</span>
                {b.productionAccess && <span class="badge badge-prod">production</span>}
                <div class="muted small">
                  added by {b.createdBy} on {new Date(b.createdAt).toLocaleDateString()}
                </div>
              </div>
              <button
                type="button"
                class="btn btn-sm btn-danger-text"
                aria-label={`Remove the binding of ${b.subject}`}
                onClick={() =>
                  confirm(`Remove ${b.subject}'s ${b.role} role? It ends at their next request.`) &&
                  void act(() => api.deleteRoleBinding(b.id), `Removed the binding of ${b.subject}.`)
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        {data && data.bootstrapAdmins.length > 0 && (
          <p class="muted small">
            Bootstrap admins (ACCESS_ADMIN_EMAILS, admins with production access without a binding): {data.bootstrapAdmins.join(', ')}
          </p>
        )}
      </div>
    </section>
  );
}
