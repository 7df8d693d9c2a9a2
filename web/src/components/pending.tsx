import type { AsyncState } from '../hooks/use-async.ts';

/** "Loading …" while the first answer is on its way, so a page is never blank or falsely empty. */
export function Pending({ state, what }: { state: AsyncState<unknown>; what: string }) {
  if (!state.loading || state.data !== undefined || state.error) return null;
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
