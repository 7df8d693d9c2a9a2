import type { Environment, FlagSummary } from '../api/types.ts';
import type { FlagFilter } from '../lib/flag-status.ts';
import { STATES, stateLabel } from './flag-badges.tsx';

interface Props {
  flags: FlagSummary[];
  environments: Environment[];
  value: FlagFilter;
  onChange: (f: FlagFilter) => void;
}

const uniq = (xs: string[]) => [...new Set(xs.filter(Boolean))].sort();

export function FlagFilters({ flags, environments, value, onChange }: Props) {
  const set = (k: keyof FlagFilter) => (e: Event) => onChange({ ...value, [k]: (e.currentTarget as HTMLInputElement).value });
  const select = (k: keyof FlagFilter, label: string, options: [string, string][]) => (
    <div class="field field-inline">
      <label for={`filter-${k}`}>{label}</label>
      <select id={`filter-${k}`} value={value[k]} onChange={set(k)}>
        <option value="">Any</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
  const pairs = (xs: string[]): [string, string][] => xs.map((x) => [x, x]);
  return (
    <search class="filters">
      <div class="field field-grow">
        <label for="filter-search">Search</label>
        <input id="filter-search" type="search" placeholder="Key, name or description" value={value.search} onInput={set('search')} />
      </div>
      {select('tag', 'Tag', pairs(uniq(flags.flatMap((f) => f.tags))))}
      {select('owner', 'Owner', pairs(uniq(flags.map((f) => f.owner))))}
      {select('type', 'Type', pairs(uniq(flags.map((f) => f.type ?? ''))))}
      {select('status', 'Status', [['on', 'On'], ['off', 'Off'], ...STATES.map((s): [string, string] => [s, stateLabel(s)])])}
      <div class="field field-inline">
        <label for="filter-environment">Status in</label>
        <select id="filter-environment" value={value.environment} onChange={set('environment')}>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
    </search>
  );
}
