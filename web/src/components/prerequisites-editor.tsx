import type { Issue } from '../api/client.ts';
import type { FlagSummary, Prerequisite } from '../api/types.ts';
import { FieldError } from './field-error.tsx';
import { RemoveButton } from './remove-button.tsx';

interface Props {
  flagKey: string;
  prerequisites: Prerequisite[];
  flags: FlagSummary[];
  issues: readonly Issue[];
  disabled: boolean;
  onChange: (p: Prerequisite[]) => void;
}

/** Other flags that must serve one of the chosen variants before this flag's targeting runs. */
export function PrerequisitesEditor({ flagKey, prerequisites, flags, issues, disabled, onChange }: Props) {
  const others = flags.filter((f) => f.key !== flagKey);
  const set = (i: number, p: Prerequisite) => onChange(prerequisites.map((x, j) => (j === i ? p : x)));
  return (
    <div class="stack">
      {prerequisites.length === 0 && <p class="muted">No prerequisites.</p>}
      {prerequisites.map((p, i) => {
        const variants = Object.keys(others.find((f) => f.key === p.flag)?.variants ?? {});
        return (
          <div class="card-inset" key={i}>
            <div class="row">
              <div class="field">
                <label for={`prereq-${i}-flag`}>Flag</label>
                <select
                  id={`prereq-${i}-flag`}
                  value={p.flag}
                  disabled={disabled}
                  onChange={(e) => set(i, { flag: e.currentTarget.value, variants: [] })}
                >
                  <option value="">Choose a flag</option>
                  {others.map((f) => (
                    <option key={f.key} value={f.key}>
                      {f.key}
                    </option>
                  ))}
                </select>
              </div>
              <fieldset class="field checks" disabled={disabled}>
                <legend>Must serve</legend>
                {variants.map((v) => (
                  <label class="check" key={v}>
                    <input
                      type="checkbox"
                      checked={p.variants.includes(v)}
                      onChange={(e) =>
                        set(i, { ...p, variants: e.currentTarget.checked ? [...p.variants, v] : p.variants.filter((x) => x !== v) })
                      }
                    />
                    {v}
                  </label>
                ))}
              </fieldset>
              <RemoveButton
                label={`Remove prerequisite ${i + 1}`}
                disabled={disabled}
                onClick={() => onChange(prerequisites.filter((_, j) => j !== i))}
              />
            </div>
            <FieldError issues={issues} path={`prerequisites.${i}`} />
          </div>
        );
      })}
      <div>
        <button
          type="button"
          class="btn btn-sm"
          disabled={disabled}
          onClick={() => onChange([...prerequisites, { flag: '', variants: [] }])}
        >
          + Prerequisite
        </button>
      </div>
    </div>
  );
}
