import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { FlagDetail, JsonValue } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { VARIANT_ADDED, VARIANT_REMOVED, variantChanges } from '../lib/change-summary.ts';
import { savedNote } from '../lib/delivery.ts';
import { ChangedElsewhere } from './changed-elsewhere.tsx';
import { ExposureImpact } from './exposure-impact.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

type Row = { name: string; value: string };

const show = (kind: FlagDetail['kind'], v: unknown) => (kind === 'string' ? String(v) : JSON.stringify(v));

/** Reads a typed value back from its text; `undefined` when the text is not a value of the kind. */
function parse(kind: FlagDetail['kind'], text: string): unknown {
  if (kind === 'string') return text;
  try {
    const v: unknown = JSON.parse(text);
    if (kind === 'json') return v;
    return typeof v === kind ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The flag's variants and their values. Editors change values, add and remove variants; the
 * Worker refuses (naming the environment) a removal an environment still serves or requires.
 */
export function VariantList({ flag, canEdit, onSaved }: { flag: FlagDetail; canEdit: boolean; onSaved: () => void }) {
  const { api, notify, environments } = useSession();
  const production = environments.some((e) => e.production);
  const edit = useDraft(flag, (f): Row[] => Object.entries(f.variants).map(([name, value]) => ({ name, value: show(f.kind, value) })));
  const { draft: rows, setDraft: setRows } = edit;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  if (!canEdit) {
    return (
      <dl class="variants">
        {Object.entries(flag.variants).map(([name, value]) => (
          <div key={name} class="variant">
            <dt>{name}</dt>
            <dd>
              <code>{JSON.stringify(value)}</code>
            </dd>
          </div>
        ))}
      </dl>
    );
  }

  const set = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const invalid = rows.findIndex((r) => parse(flag.kind, r.value) === undefined || !r.name.trim());
  const proposed = () => Object.fromEntries(rows.map((r) => [r.name.trim(), parse(flag.kind, r.value) as JsonValue]));
  const save = async (reason = 'variants edited') => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.patchFlag(flag.key, { variants: proposed(), version: edit.version, reason });
      edit.saved(updated.version, rows);
      setConfirming(false);
      const note = savedNote('Saved variants.', updated);
      notify(note.text, note.tone);
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const changes = confirming ? variantChanges(flag.variants, proposed()) : [];
  // Users notice a variant whose value changed or that went away; an added one serves nobody yet.
  const reached = changes.filter((c) => c.before !== VARIANT_ADDED);
  const onlyValues = reached.every((c) => c.after !== VARIANT_REMOVED);
  return (
    <>
      <form
        class="variant-form"
        aria-label="Variants"
        onSubmit={(e) => {
          e.preventDefault();
          if (busy || edit.pristine || invalid >= 0) return;
          if (production) setConfirming(true);
          else void save();
        }}
      >
        {edit.changedElsewhere && <ChangedElsewhere what="this flag's variants" version={flag.version} onReset={edit.reset} />}
        {rows.map((r, i) => (
          <div key={i} class="variant-row">
            <label class="visually-hidden" for={`variant-${i}-name`}>
              Variant {i + 1} name
            </label>
            <input id={`variant-${i}-name`} value={r.name} disabled={busy} onInput={(e) => set(i, { name: e.currentTarget.value })} />
            <label class="visually-hidden" for={`variant-${i}-value`}>
              Variant {i + 1} value ({flag.kind})
            </label>
            <input
              id={`variant-${i}-value`}
              value={r.value}
              disabled={busy}
              aria-invalid={parse(flag.kind, r.value) === undefined}
              onInput={(e) => set(i, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              class="btn btn-ghost"
              disabled={busy || rows.length < 2}
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </div>
        ))}
        {invalid >= 0 && (
          <p class="muted small">
            Variant {invalid + 1} needs a name and a {flag.kind} value.
          </p>
        )}
        {error && !confirming && (
          <p class="error-note" role="alert">
            {error}
          </p>
        )}
        <div class="row-actions">
          <button
            type="button"
            class="btn"
            disabled={busy}
            onClick={() => setRows([...rows, { name: '', value: flag.kind === 'string' ? '' : 'null' }])}
          >
            + Variant
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy || edit.pristine || invalid >= 0}>
            Save variants
          </button>
        </div>
      </form>
      {confirming && (
        <ProductionConfirm
          title={`Change the variants of ${flag.key}?`}
          confirmLabel="Save variants everywhere"
          busy={busy}
          error={error}
          lead={
            <>Every environment, production included, serves the new values at once: users who get a changed variant get its new value.</>
          }
          changes={changes}
          impact={
            reached.length > 0 && (
              <ExposureImpact
                flagKey={flag.key}
                variants={reached.map((c) => c.label.replace(/^Variant /, ''))}
                effect={onlyValues ? 'they get the new value' : 'what they are served changes'}
              />
            )
          }
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
