import type { Issue } from '../api/client.ts';
import type { Target } from '../api/types.ts';
import { useListText } from '../hooks/use-list-text.ts';
import { FieldError } from './field-error.tsx';
import { RemoveButton } from './remove-button.tsx';

interface Props {
  targets: Target[];
  variants: string[];
  issues: readonly Issue[];
  disabled: boolean;
  onChange: (t: Target[]) => void;
}

const splitList = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

const joinLines = (values: string[]) => values.join('\n');

/** The ids of one target, typed freely (see useListText for why the text is kept apart). */
function TargetValues({
  id,
  values,
  disabled,
  onChange,
}: {
  id: string;
  values: string[];
  disabled: boolean;
  onChange: (v: string[]) => void;
}) {
  const [text, setText] = useListText(values, joinLines, splitList);
  return <textarea id={id} rows={2} disabled={disabled} value={text} onInput={(e) => onChange(setText(e.currentTarget.value))} />;
}

/** Individual targets: named users or accounts that get a variant before any rule runs. */
export function TargetsEditor({ targets, variants, issues, disabled, onChange }: Props) {
  const set = (i: number, t: Target) => onChange(targets.map((x, j) => (j === i ? t : x)));
  return (
    <div class="stack">
      {targets.length === 0 && <p class="muted">No individual targets.</p>}
      {targets.map((t, i) => (
        <div class="card-inset target" key={i}>
          <div class="row">
            <div class="field">
              <label for={`target-${i}-attr`}>Attribute</label>
              <input
                id={`target-${i}-attr`}
                value={t.attribute ?? ''}
                placeholder="targetingKey"
                disabled={disabled}
                onInput={(e) => {
                  const { attribute: _a, ...rest } = t;
                  const v = e.currentTarget.value;
                  set(i, v ? { ...rest, attribute: v } : rest);
                }}
              />
            </div>
            <div class="field">
              <label for={`target-${i}-variant`}>Serve</label>
              <select
                id={`target-${i}-variant`}
                value={t.variant}
                disabled={disabled}
                onChange={(e) => set(i, { ...t, variant: e.currentTarget.value })}
              >
                {variants.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </div>
            <RemoveButton
              label={`Remove target ${i + 1}`}
              disabled={disabled}
              onClick={() => onChange(targets.filter((_, j) => j !== i))}
            />
          </div>
          <div class="field">
            <label for={`target-${i}-values`}>Values (one per line or comma-separated)</label>
            <TargetValues id={`target-${i}-values`} values={t.values} disabled={disabled} onChange={(values) => set(i, { ...t, values })} />
          </div>
          <FieldError issues={issues} path={`targets.${i}`} />
        </div>
      ))}
      <div>
        <button
          type="button"
          class="btn btn-sm"
          disabled={disabled}
          onClick={() => onChange([...targets, { values: [], variant: variants.find((v) => v !== 'off') ?? variants[0] ?? '' }])}
        >
          + Target
        </button>
      </div>
    </div>
  );
}
