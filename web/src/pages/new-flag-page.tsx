import { useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { FlagCreateBody, FlagType, JsonValue } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { FieldError } from '../components/field-error.tsx';
import { FLAG_TYPES } from '../components/metadata-form.tsx';
import { ProtectiveStateField } from '../components/protective-state-field.tsx';
import { navigate } from '../hooks/use-route.ts';
import { formError } from '../lib/issues.ts';

type Kind = FlagCreateBody['kind'];

/** `name=value` lines → variants, values typed by the flag kind. */
export function parseVariants(text: string, kind: Kind): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at < 1) continue;
    const name = line.slice(0, at).trim();
    const raw = line.slice(at + 1).trim();
    if (kind === 'number') out[name] = Number(raw);
    else if (kind === 'json') out[name] = JSON.parse(raw) as JsonValue;
    else out[name] = raw;
  }
  return out;
}

export function NewFlagPage() {
  const { api, notify } = useSession();
  const [form, setForm] = useState({
    key: '',
    name: '',
    kind: 'boolean' as Kind,
    type: 'release' as FlagType,
    owner: '',
    description: '',
    tags: '',
    expiresAt: '',
    primaryMetric: '',
    variants: 'control=control\ntreatment=treatment',
    protectiveState: 'off' as 'off' | 'on',
  });
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async () => {
    setBusy(true);
    setIssues([]);
    setError(undefined);
    try {
      const body: FlagCreateBody = {
        key: form.key.trim(),
        kind: form.kind,
        type: form.type,
        name: form.name,
        owner: form.owner,
        description: form.description,
        tags: form.tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        expiresAt: form.expiresAt || null,
      };
      // An ops flag declares its protective state (the ops policy), even the default.
      if (form.protectiveState === 'on' || form.type === 'ops') body.protectiveState = form.protectiveState;
      if (form.type === 'experiment') body.primaryMetric = form.primaryMetric.trim() || null;
      if (form.kind !== 'boolean') body.variants = parseVariants(form.variants, form.kind);
      await api.createFlag(body);
      notify(`Created ${body.key}: off in every environment.`);
      navigate(`/flags/${encodeURIComponent(body.key)}`);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues);
      setError(formError(e));
    } finally {
      setBusy(false);
    }
  };
  const input = (
    k: 'key' | 'name' | 'owner' | 'tags' | 'expiresAt' | 'primaryMetric',
    label: string,
    extra: Record<string, unknown> = {},
  ) => (
    <div class="field">
      <label for={`new-${k}`}>{label}</label>
      <input id={`new-${k}`} value={form[k]} onInput={set(k)} aria-describedby={`new-${k}-error`} {...extra} />
      <FieldError issues={issues} path={k} id={`new-${k}-error`} />
    </div>
  );
  return (
    <section class="page narrow">
      <h1>New flag</h1>
      <form
        class="panel grid-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {input('key', 'Key', { required: true, placeholder: 'new-checkout', spellcheck: false, autoComplete: 'off' })}
        {input('name', 'Name', { placeholder: 'New checkout' })}
        <div class="field">
          <label for="new-kind">Kind</label>
          <select id="new-kind" value={form.kind} onChange={set('kind')}>
            <option value="boolean">boolean</option>
            <option value="string">string</option>
            <option value="number">number</option>
            <option value="json">JSON</option>
          </select>
        </div>
        <div class="field">
          <label for="new-type">Type</label>
          <select id="new-type" value={form.type} onChange={set('type')}>
            {FLAG_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        {form.kind !== 'boolean' && (
          <div class="field span-2">
            <label for="new-variants">Variants (name=value, one per line; the first is served when off)</label>
            <textarea id="new-variants" rows={3} class="mono" value={form.variants} onInput={set('variants')} />
            <FieldError issues={issues} path="variants" />
          </div>
        )}
        {input('owner', 'Owner', { placeholder: 'team or person' })}
        {input('expiresAt', form.type === 'experiment' ? 'Ends' : 'Expires', { type: 'date' })}
        {form.type === 'experiment' && input('primaryMetric', 'Primary metric', { placeholder: 'invoice-created' })}
        <div class="field span-2">
          <label for="new-description">Description</label>
          <textarea id="new-description" rows={2} value={form.description} onInput={set('description')} />
        </div>
        {input('tags', 'Tags (comma-separated)')}
        <ProtectiveStateField
          id="new-protective"
          value={form.protectiveState}
          onChange={(protectiveState) => setForm({ ...form, protectiveState })}
        />
        <FieldError issues={issues} path="protectiveState" />
        {error && (
          <p class="error-note span-2" role="alert">
            {error}
          </p>
        )}
        <div class="span-2">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create flag'}
          </button>
        </div>
      </form>
    </section>
  );
}
