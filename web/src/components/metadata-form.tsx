import { useState } from 'preact/hooks';
import { canWriteEverywhere } from '../api/can-write.ts';
import { ApiError, type Issue } from '../api/client.ts';
import type { FlagDetail, FlagType } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { savedNote } from '../lib/delivery.ts';
import { formError } from '../lib/issues.ts';
import { ChangedElsewhere } from './changed-elsewhere.tsx';
import { DetailsConfirm, toForm } from './details-confirm.tsx';
import { FieldError } from './field-error.tsx';
import { ProtectiveStateField } from './protective-state-field.tsx';

export const FLAG_TYPES: FlagType[] = ['release', 'ops', 'experiment', 'permission', 'migration'];
const list = (s: string) =>
  s
    .split(/[\n,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Name, owner, type, expiry, description, tags and links: what makes a flag an operational resource. */
export function MetadataForm({ flag, canEdit, onSaved }: { flag: FlagDetail; canEdit: boolean; onSaved: () => void }) {
  const { api, notify, me, environments } = useSession();
  const production = environments.some((e) => e.production);
  // Client visibility changes what production serves to browsers: it needs production access.
  const canExpose = canEdit && canWriteEverywhere(me, environments);
  const edit = useDraft(flag, toForm);
  const { draft: form, setDraft: setForm } = edit;
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const field = (k: 'name' | 'owner' | 'expiresAt' | 'primaryMetric' | 'description' | 'tags' | 'links') => ({
    id: `meta-${k}`,
    value: form[k],
    disabled: !canEdit || busy,
    'aria-describedby': issues.some((i) => i.path.startsWith(k)) ? `meta-${k}-error` : undefined,
    onInput: (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value }),
  });
  const base = toForm(flag);
  const exposing = form.clientVisible !== base.clientVisible;
  // Becoming an ops flag declares the protective state (the ops policy), even when it stays "off".
  const protectiveChanged = form.protectiveState !== base.protectiveState || (form.type === 'ops' && base.type !== 'ops');
  const save = async (reason?: string) => {
    setBusy(true);
    setIssues([]);
    setError(undefined);
    try {
      const updated = await api.patchFlag(flag.key, {
        name: form.name,
        owner: form.owner,
        type: form.type,
        expiresAt: form.expiresAt || null,
        ...((form.primaryMetric || base.primaryMetric) && { primaryMetric: form.primaryMetric.trim() || null }),
        description: form.description,
        tags: list(form.tags),
        links: list(form.links),
        // Sent only when changed: they change what production serves, which needs production access.
        ...(exposing && { clientVisible: form.clientVisible }),
        ...(protectiveChanged && { protectiveState: form.protectiveState }),
        version: edit.version,
        ...(reason && { reason }),
      });
      edit.saved(updated.version, form);
      setConfirming(false);
      const note = savedNote('Saved details.', updated);
      notify(note.text, note.tone);
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        setIssues(e.issues);
        setConfirming(false);
      }
      setError(formError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form
        class="grid-form"
        aria-label="Flag details"
        onSubmit={(e) => {
          e.preventDefault();
          if (busy || edit.pristine) return;
          if ((exposing || protectiveChanged) && production) setConfirming(true);
          else void save();
        }}
      >
        {edit.changedElsewhere && <ChangedElsewhere what="this flag's details" version={flag.version} onReset={edit.reset} />}
        <div class="field">
          <label for="meta-name">Name</label>
          <input {...field('name')} />
          <FieldError issues={issues} path="name" id="meta-name-error" />
        </div>
        <div class="field">
          <label for="meta-owner">Owner</label>
          <input {...field('owner')} />
          <FieldError issues={issues} path="owner" id="meta-owner-error" />
        </div>
        <div class="field">
          <label for="meta-type">Type</label>
          <select
            id="meta-type"
            value={form.type}
            aria-describedby={issues.some((i) => i.path === 'type') ? 'meta-type-error' : undefined}
            disabled={!canEdit || busy}
            onChange={(e) => setForm({ ...form, type: e.currentTarget.value as FlagType })}
          >
            {FLAG_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <FieldError issues={issues} path="type" id="meta-type-error" />
        </div>
        <div class="field">
          <label for="meta-expiresAt">Expires</label>
          <input type="date" {...field('expiresAt')} />
          <FieldError issues={issues} path="expiresAt" id="meta-expiresAt-error" />
        </div>
        {(form.type === 'experiment' || form.primaryMetric) && (
          <div class="field">
            <label for="meta-primaryMetric">Primary metric</label>
            <input {...field('primaryMetric')} />
            <FieldError issues={issues} path="primaryMetric" id="meta-primaryMetric-error" />
          </div>
        )}
        <div class="field span-2">
          <label for="meta-description">Description</label>
          <textarea rows={2} {...field('description')} />
        </div>
        <div class="field">
          <label for="meta-tags">Tags (comma-separated)</label>
          <input {...field('tags')} />
          <FieldError issues={issues} path="tags" id="meta-tags-error" />
        </div>
        <div class="field">
          <label for="meta-links">Links (one per line)</label>
          <textarea rows={2} {...field('links')} />
          <FieldError issues={issues} path="links" id="meta-links-error" />
        </div>
        <label class="check span-2">
          <input
            type="checkbox"
            checked={form.clientVisible}
            disabled={!canExpose || busy}
            onChange={(e) => setForm({ ...form, clientVisible: e.currentTarget.checked })}
          />
          Visible to client keys (browsers get its evaluated value)
        </label>
        <ProtectiveStateField
          id="meta-protective"
          value={form.protectiveState}
          disabled={!canExpose || busy}
          onChange={(protectiveState) => setForm({ ...form, protectiveState })}
        />
        <FieldError issues={issues} path="protectiveState" />
        {error && !confirming && (
          <p class="error-note span-2" role="alert">
            {error}
          </p>
        )}
        {canEdit && (
          <div class="span-2">
            <button type="submit" class="btn btn-primary" disabled={busy || edit.pristine}>
              Save details
            </button>
          </div>
        )}
      </form>
      {confirming && (
        <DetailsConfirm
          flag={flag}
          before={base}
          after={form}
          busy={busy}
          error={error}
          onConfirm={(reason) => void save(reason)}
          onCancel={() => {
            setConfirming(false);
            setError(undefined);
          }}
        />
      )}
    </>
  );
}
