import type { EnvSummary } from '../api/types.ts';
import { serveLabel } from '../lib/flag-status.ts';

/** One environment at a glance: on or off, then what the default rule serves and what is checked before it. */
export function EnvState({ state, envName }: { state: EnvSummary | undefined; envName: string }) {
  if (!state) return <span class="state state-none">—</span>;
  const { offVariant } = state;
  const serve = serveLabel(state.defaultServe, offVariant);
  // Prerequisites come first: a flag that is on can still serve its off variant because of them.
  const prereqs = state.prerequisites > 0 ? `needs ${state.prerequisites} flag${state.prerequisites > 1 ? 's' : ''}, ` : '';
  const targets = state.targets > 0 ? `${state.targets} target list${state.targets > 1 ? 's' : ''}, ` : '';
  const rules = state.rules > 0 ? `${state.rules} rule${state.rules > 1 ? 's' : ''}, then ` : '';
  const detail = state.enabled ? `${prereqs}${targets}${rules}${serve === offVariant ? `default ${serve}` : serve}` : '';
  return (
    <span class={`state ${state.enabled ? 'state-on' : 'state-off'}`}>
      <span class="dot" aria-hidden="true" />
      <span class="visually-hidden">{envName}: </span>
      {state.enabled ? 'On' : 'Off'}
      {detail && <span class="state-detail">· {detail}</span>}
    </span>
  );
}
