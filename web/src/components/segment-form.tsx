import { useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { Condition, SegmentRow } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useLeaveGuard } from '../hooks/use-route.ts';
import { segmentChanges } from '../lib/change-summary.ts';
import { savedNote } from '../lib/delivery.ts';
import { formError } from '../lib/issues.ts';
import { FieldError } from './field-error.tsx';
import { ProductionConfirm } from './production-confirm.tsx';
import { SegmentRulesEditor } from './segment-rules-editor.tsx';

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Create or edit a segment: included / excluded values of one attribute, and rule-based members. */
export function SegmentForm({ env, segment, onDone }: { env: string; segment?: SegmentRow; onDone: () => void }) {
  const { api, notify, environments } = useSession();
  // Editing a production segment changes who matches the rules that use it, at once.
  const confirmFirst = !!segment && !!environments.find((e) => e.key === env)?.production;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
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
  // What the form opened with: any difference is an unsaved edit, and leaving asks first.
  const [opened] = useState(() => JSON.stringify([form, rules]));
  useLeaveGuard(JSON.stringify([form, rules]) !== opened);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const id = segment ? `seg-${segment.key}` : 'seg-new';
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const definition = () => ({
    ...(form.attribute ? { attribute: form.attribute } : {}),
    included: list(form.included),
    excluded: list(form.excluded),
    rules,
  });
  const save = async (reason?: string) => {
    setIssues([]);
    setError(undefined);
    setBusy(true);
    try {
      const res = await api.putSegment(env, form.key.trim(), {
        name: form.name,
        description: form.description,
        ...definition(),
        ...(segment ? { version: segment.version } : {}),
        ...(reason && { reason }),
      });
      setConfirming(false);
      const note = savedNote(`Saved segment ${form.key}.`, res);
      notify(note.text, note.tone);
      onDone();
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
        class="grid-form card-inset"
        onSubmit={(e) => {
          e.preventDefault();
          if (busy) return;
          if (confirmFirst) setConfirming(true);
          else void save();
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
        {error && !confirming && (
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
      {confirming && segment && (
        <ProductionConfirm
          title={`Save segment ${segment.key} in ${env}?`}
          confirmLabel="Save in production"
          busy={busy}
          error={error}
          lead={
            <>
              Every flag whose rules use <code>{segment.key}</code> in <strong>{env}</strong> evaluates with the new membership at once.
            </>
          }
          changes={segmentChanges(segment, { name: form.name, description: form.description, definition: definition() })}
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
