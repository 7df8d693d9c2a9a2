import { useEffect, useRef } from 'preact/hooks';
import { useSession } from '../app-context.ts';

/** How often open pages look for changes made elsewhere (another admin, the API, CI). */
export const POLL_MS = 4000;

/**
 * Calls `tick` at once when the hubs push a change (a toggle, a rollout, a segment), every `ms`
 * while the tab is visible for what is not pushed (metadata, keys, the audit log), and when the
 * tab becomes visible again: hidden tabs cost the API nothing, and nobody sees stale state.
 */
export function usePoll(tick: () => unknown, ms = POLL_MS, enabled = true): void {
  const fn = useRef(tick);
  fn.current = tick;
  const { onChange } = useSession();
  useEffect(() => (enabled ? onChange(() => fn.current()) : undefined), [onChange, enabled]);
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      clearInterval(timer);
      timer = setInterval(() => {
        if (document.visibilityState === 'visible') fn.current();
      }, ms);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') fn.current();
    };
    start();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms, enabled]);
}
