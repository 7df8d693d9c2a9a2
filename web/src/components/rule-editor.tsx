import type { Issue } from '../api/client.ts';
import type { Rule, SegmentRow } from '../api/types.ts';
import { ConditionRow } from './condition-row.tsx';
import { ServeEditor } from './serve-editor.tsx';

interface Props {
  index: number;
  count: number;
  rule: Rule;
  variants: string[];
  segments: SegmentRow[];
  issues: readonly Issue[];
  disabled: boolean;
  onChange: (r: Rule) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}

/** One targeting rule: all conditions must hold (AND); the first matching rule wins. */
export function RuleEditor({ index, count, rule, variants, segments, issues, disabled, onChange, onRemove, onMove }: Props) {
  const path = `rules.${index}`;
  const id = `rule-${index}`;
  return (
    <fieldset class="rule card-inset">
      <legend>Rule {index + 1}</legend>
      <div class="row rule-head">
        <div class="field field-grow">
          <label for={`${id}-name`}>Rule name</label>
          <input
            id={`${id}-name`}
            value={rule.name ?? ''}
            disabled={disabled}
            placeholder="e.g. Free plan in US and GB"
            onInput={(e) => onChange({ ...rule, name: e.currentTarget.value })}
          />
        </div>
        <div class="btn-group">
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            disabled={disabled || index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move rule ${index + 1} up`}
          >
            ↑
          </button>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            disabled={disabled || index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move rule ${index + 1} down`}
          >
            ↓
          </button>
          <button type="button" class="btn btn-ghost btn-sm btn-danger-text" disabled={disabled} onClick={onRemove}>
            Remove rule
          </button>
        </div>
      </div>
      {rule.conditions.length === 0 && <p class="muted">No conditions: this rule matches everyone.</p>}
      {rule.conditions.map((c, j) => (
        <ConditionRow
          key={j}
          id={`${id}-c${j}`}
          condition={c}
          segments={segments}
          issues={issues}
          path={`${path}.conditions.${j}`}
          disabled={disabled}
          onChange={(next) => onChange({ ...rule, conditions: rule.conditions.map((x, k) => (k === j ? next : x)) })}
          onRemove={() => onChange({ ...rule, conditions: rule.conditions.filter((_, k) => k !== j) })}
        />
      ))}
      <button
        type="button"
        class="btn btn-sm"
        disabled={disabled}
        onClick={() => onChange({ ...rule, conditions: [...rule.conditions, { attribute: '', op: 'equals', values: [] }] })}
      >
        + Condition
      </button>
      <ServeEditor
        id={`${id}-serve`}
        label="Then serve"
        serve={rule.serve}
        variants={variants}
        issues={issues}
        path={`${path}.serve`}
        disabled={disabled}
        onChange={(serve) => onChange({ ...rule, serve })}
      />
    </fieldset>
  );
}
