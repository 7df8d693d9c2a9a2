import { useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { Condition, SegmentRow } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { FieldError } from './field-error.tsx';
import { SegmentRulesEditor } from './segment-rules-editor.tsx';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Create or edit a segment: included / excluded values of one attribute, and rule-based members. */
export function SegmentForm({ env, segment, onDone }: { env: string; segment?: SegmentRow; onDone: () => void }) {
  const { api, notify } = useSession();
  const d = segment?.definition ?? {};
  const [form, setForm] = useState({
    key: segment?.key ?? '',
    name: segment?.name ?? '',
    description: segment?.description ?? '',
    attribute: d.attribute ?? '',
    included: (d.included ?? []).join('\n'),
    excluded: (d.excluded ?? []).join('\n'),
  });
  const [rules, setRules] = useState<Condition[][]>(() => structuredClone(d.rules ?? []));
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const id = segment ? `seg-${segment.key}` : 'seg-new';
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const save = async () => {
    setIssues([]);
    setError(undefined);
    try {
      await api.putSegment(env, form.key.trim(), {
        name: form.name,
        description: form.description,
        ...(form.attribute ? { attribute: form.attribute } : {}),
        included: list(form.included),
        excluded: list(form.excluded),
        rules,
        ...(segment ? { version: segment.version } : {}),
      });
      notify(`Saved segment ${form.key}.`);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues);
      setError((e as Error).message);
    }
  };
  return (
    <form
      class="grid-form card-inset"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {!segment && (
        <div class="field">
          <label for={`${id}-key`}>Key</label>
          <input id={`${id}-key`} required value={form.key} onInput={set('key')} placeholder="enterprise-accounts" />
        </div>
      )}
      <div class="field">
        <label for={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={form.name} onInput={set('name')} />
      </div>
      <div class="field">
        <label for={`${id}-attribute`}>Attribute</label>
        <input id={`${id}-attribute`} value={form.attribute} onInput={set('attribute')} placeholder="targetingKey" />
        <FieldError issues={issues} path="attribute" />
      </div>
      <div class="field span-2">
        <label for={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={form.description} onInput={set('description')} />
      </div>
      <div class="field">
        <label for={`${id}-included`}>Included values</label>
        <textarea id={`${id}-included`} rows={3} value={form.included} onInput={set('included')} />
        <FieldError issues={issues} path="included" />
      </div>
      <div class="field">
        <label for={`${id}-excluded`}>Excluded values</label>
        <textarea id={`${id}-excluded`} rows={3} value={form.excluded} onInput={set('excluded')} />
        <FieldError issues={issues} path="excluded" />
      </div>
      <fieldset class="span-2 segment-rules">
        <legend>Rule-based members</legend>
        <SegmentRulesEditor id={id} rules={rules} issues={issues} onChange={setRules} />
      </fieldset>
      {error && (
        <p class="error-note span-2" role="alert">
          {error}
        </p>
      )}
      <div class="span-2 row">
        <button type="submit" class="btn btn-primary">
          {segment ? 'Save segment' : 'Create segment'}
        </button>
        <button type="button" class="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
