import type { Issue } from '../api/client.ts';
import type { Condition } from '../api/types.ts';
import { ConditionRow } from './condition-row.tsx';

interface Props {
  id: string;
  rules: Condition[][];
  issues: readonly Issue[];
  onChange: (rules: Condition[][]) => void;
}

const NO_SEGMENTS: never[] = [];
const blank = (): Condition => ({ attribute: '', op: 'equals', values: [] });

/** Rule-based members: a context belongs when every condition of any one group holds (OR of ANDs). */
export function SegmentRulesEditor({ id, rules, issues, onChange }: Props) {
  const setGroup = (g: number, next: Condition[]) => onChange(rules.map((x, i) => (i === g ? next : x)));
  return (
    <div class="stack">
      {rules.length === 0 && <p class="muted small">No rules: membership comes from the included values only.</p>}
      {rules.map((group, g) => (
        <fieldset key={g} class="card-inset segment-group">
          <legend>{g === 0 ? 'Member when all of these hold' : `…or when all of these hold (group ${g + 1})`}</legend>
          {group.map((c, j) => (
            <ConditionRow
              key={j}
              id={`${id}-g${g}-c${j}`}
              condition={c}
              // Segments cannot refer to other segments (sdk/core segment.ts), so none are offered.
              segments={NO_SEGMENTS}
              issues={issues}
              path={`rules.${g}.${j}`}
              disabled={false}
              onChange={(next) =>
                setGroup(
                  g,
                  group.map((x, k) => (k === j ? next : x)),
                )
              }
              onRemove={() =>
                setGroup(
                  g,
                  group.filter((_, k) => k !== j),
                )
              }
            />
          ))}
          <div class="row">
            <button type="button" class="btn btn-sm" onClick={() => setGroup(g, [...group, blank()])}>
              + Condition
            </button>
            <button
              type="button"
              class="btn btn-sm btn-ghost btn-danger-text"
              onClick={() => onChange(rules.filter((_, i) => i !== g))}
              aria-label={`Remove rule group ${g + 1}`}
            >
              Remove group
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" class="btn btn-sm" onClick={() => onChange([...rules, [blank()]])}>
        + Rule group
      </button>
    </div>
  );
}
