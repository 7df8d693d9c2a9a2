import type { Issue } from '../api/client.ts';
import type { Condition, Operator, SegmentRow } from '../api/types.ts';
import { useListText } from '../hooks/use-list-text.ts';
import { formatValues, OPERATORS, parseValues } from '../lib/config-draft.ts';
import { issuesAt } from '../lib/issues.ts';
import { RemoveButton } from './remove-button.tsx';

interface Props {
  id: string;
  condition: Condition;
  segments: SegmentRow[];
  issues: readonly Issue[];
  path: string;
  disabled: boolean;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}

// The API requires an attribute on every condition, but segment operators never read it (sdk/core
// operators.ts): the row hides the field and sends this one, so nobody is asked for a meaningless value.
const SEGMENT_ATTRIBUTE = 'targetingKey';

/** attribute · operator · values; segment operators pick from the environment's segments. */
export function ConditionRow({ id, condition, segments, issues, path, disabled, onChange, onRemove }: Props) {
  const info = OPERATORS.find((o) => o.op === condition.op);
  const [text, setText] = useListText(condition.values, formatValues, (t) => parseValues(t, condition.op), condition.op);
  const segmentOp = condition.op === 'inSegment' || condition.op === 'notInSegment';
  const errors = issuesAt(issues, path);
  const errorId = `${id}-error`;
  const described = errors.length ? errorId : undefined;
  return (
    <div class="condition">
      <div class="condition-fields">
        {!segmentOp && (
          <div class="field">
            <label for={`${id}-attr`}>Attribute</label>
            <input
              id={`${id}-attr`}
              value={condition.attribute}
              disabled={disabled}
              placeholder="plan"
              aria-invalid={issuesAt(issues, `${path}.attribute`).length > 0}
              aria-describedby={described}
              onInput={(e) => onChange({ ...condition, attribute: e.currentTarget.value })}
            />
          </div>
        )}
        <div class="field">
          <label for={`${id}-op`}>Operator</label>
          <select
            id={`${id}-op`}
            value={condition.op}
            disabled={disabled}
            onChange={(e) => {
              const op = e.currentTarget.value as Operator;
              const toSegment = op === 'inSegment' || op === 'notInSegment';
              const attribute = toSegment ? SEGMENT_ATTRIBUTE : segmentOp ? '' : condition.attribute;
              onChange({ ...condition, op, attribute, values: parseValues(formatValues(condition.values), op) });
            }}
          >
            {OPERATORS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {info?.arity !== 'none' && (
          <div class="field field-grow">
            <label for={`${id}-values`}>{segmentOp ? 'Segment' : info?.arity === 'many' ? 'Values (comma-separated)' : 'Value'}</label>
            {segmentOp ? (
              <select
                id={`${id}-values`}
                value={String(condition.values[0] ?? '')}
                disabled={disabled}
                aria-describedby={described}
                onChange={(e) => onChange({ ...condition, values: [e.currentTarget.value] })}
              >
                <option value="">Choose a segment</option>
                {segments.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.name || s.key}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-values`}
                value={text}
                disabled={disabled}
                aria-invalid={issuesAt(issues, `${path}.values`).length > 0}
                aria-describedby={described}
                onInput={(e) => onChange({ ...condition, values: setText(e.currentTarget.value) })}
              />
            )}
          </div>
        )}
        <RemoveButton label="Remove condition" disabled={disabled} onClick={onRemove} />
      </div>
      {errors.length > 0 && (
        <p class="field-error" id={errorId} role="alert">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}
