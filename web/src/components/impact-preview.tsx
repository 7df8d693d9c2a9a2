import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { ConfigBody, ImpactResponse } from '../api/types.ts';
import { useSession } from '../app-context.ts';

type State =
  | { phase: 'idle' | 'loading' | 'none' | 'invalid' }
  | { phase: 'error'; message: string }
  | { phase: 'done'; impact: ImpactResponse };

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
/** `{"plan":"pro","country":"US"}` as "plan pro · country US": the attributes a rule reads, readably. */
const contextText = (c: unknown) =>
  c && typeof c === 'object'
    ? Object.entries(c)
        .map(([k, v]) => `${k} ${show(v)}`)
        .join(' · ')
    : show(c);

/**
 * Before a save: how many recent contexts (seen by the SDKs) would get a different value.
 * Debounced so typing in a rule does not flood the API.
 */
export function ImpactPreview({ flagKey, env, config }: { flagKey: string; env: string; config: ConfigBody | undefined }) {
  const { api } = useSession();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const key = config && show(config);
  useEffect(() => {
    if (!config) return setState({ phase: 'idle' });
    let live = true;
    setState({ phase: 'loading' });
    const t = setTimeout(() => {
      api.impact(flagKey, env, config).then(
        (impact) => live && setState(impact.sampled === 0 ? { phase: 'none' } : { phase: 'done', impact }),
        (e: unknown) => {
          if (!live) return;
          // 400/422: the draft is incomplete or names what does not exist yet (a rule still being
          // typed); its messages appear at the fields on save.
          if (e instanceof ApiError && (e.status === 400 || e.status === 422)) setState({ phase: 'invalid' });
          // 404: the flag went away meanwhile.
          else if (e instanceof ApiError && e.status === 404) setState({ phase: 'none' });
          else setState({ phase: 'error', message: (e as Error).message });
        },
      );
    }, 500);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [flagKey, env, key]);

  if (state.phase === 'idle') return null;
  return (
    <div class="impact" aria-live="polite">
      {state.phase === 'loading' && <p class="muted">Comparing with recent contexts…</p>}
      {state.phase === 'invalid' && <p class="muted">The impact preview appears once the change is complete and valid.</p>}
      {state.phase === 'none' && (
        <p class="muted">
          No recent contexts to compare this change with. They come from server SDKs that report exposures with{' '}
          <code>exposures: {'{ sendContext: true }'}</code> (@edgeflags/node) in this environment: evaluate a few flags there and the
          preview uses the latest 1,000.
        </p>
      )}
      {state.phase === 'error' && <p class="muted">Impact preview unavailable: {state.message}</p>}
      {state.phase === 'done' && (
        <>
          <p>
            <strong>{state.impact.changed}</strong> of {state.impact.sampled} recent contexts would get a different value.
          </p>
          {state.impact.examples.length > 0 && (
            <ul class="impact-examples">
              {state.impact.examples.slice(0, 5).map((x, i) => (
                <li key={x.contextKey ?? i}>
                  <span class="impact-context">{contextText(x.context)}</span>: {show(x.before.value)} →{' '}
                  <strong>{show(x.after.value)}</strong> <span class="muted">({x.after.reason})</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
