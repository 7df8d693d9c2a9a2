import type { EnvSummary } from '../api/types.ts';
import { serveLabel } from '../lib/flag-status.ts';

/** One environment at a glance: on or off, then what the default rule serves and how many rules come first. */
export function EnvState({ state, envName }: { state: EnvSummary | undefined; envName: string }) {
  if (!state) return <span class="state state-none">—</span>;
  const { offVariant } = state;
  const serve = serveLabel(state.defaultServe, offVariant);
  const targets = state.targets > 0 ? `${state.targets} target list${state.targets > 1 ? 's' : ''}, ` : '';
  const rules = state.rules > 0 ? `${state.rules} rule${state.rules > 1 ? 's' : ''}, then ` : '';
  const detail = state.enabled ? `${targets}${rules}${serve === offVariant ? `default ${serve}` : serve}` : '';
  return (
    <span class={`state ${state.enabled ? 'state-on' : 'state-off'}`}>
      <span class="dot" aria-hidden="true" />
      <span class="visually-hidden">{envName}: </span>
      {state.enabled ? 'On' : 'Off'}
      {detail && <span class="state-detail">· {detail}</span>}
    </span>
  );
}
