import type { Lifecycle, LifecycleState } from '../api/types.ts';

/** The server's lifecycle states (docs/lifecycle.md), in the filter's order; the browser never computes them. */
export const STATES: LifecycleState[] = ['new', 'rolling_out', 'rolled_out', 'stale', 'expired', 'ready_to_remove', 'unknown'];
export const stateLabel = (s: LifecycleState) => s.replace(/_/g, ' ');
export const day = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 10));

/** The states that ask someone to act (code waiting to be removed), as badges. */
const BADGE: Partial<Record<LifecycleState, string>> = { expired: 'danger', stale: 'warn', ready_to_remove: 'warn' };

/** A badge for a flag whose lifecycle asks for removal, with why and since when. */
export function FlagBadges({ lifecycle: l }: { lifecycle: Lifecycle | undefined }) {
  const cls = l && BADGE[l.state];
  return cls ? (
    <span class={`badge badge-${cls}`} title={`${l.reason} since ${day(l.since)}`}>
      {stateLabel(l.state)}
    </span>
  ) : null;
}

/** The lifecycle state and the date it changed, for one environment's cell. */
export function LifecycleLine({ lifecycle: l }: { lifecycle: Lifecycle | undefined }) {
  return l ? (
    <span class={`lifecycle lifecycle-${l.state}`} title={l.reason}>
      {stateLabel(l.state)} since {day(l.since)}
    </span>
  ) : null;
}
