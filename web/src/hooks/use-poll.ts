import { useEffect, useRef } from 'preact/hooks';

/** How often open pages look for changes made elsewhere (another admin, the API, CI). */
export const POLL_MS = 4000;

/**
 * Calls `tick` every `ms` while the tab is visible, and once at once when it becomes visible
 * again: hidden tabs cost the API nothing, and a returning admin never sees stale state.
 * The Worker has no admin event stream yet; polling the cheap list routes is the contract.
 */
export function usePoll(tick: () => unknown, ms = POLL_MS, enabled = true): void {
  const fn = useRef(tick);
  fn.current = tick;
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
