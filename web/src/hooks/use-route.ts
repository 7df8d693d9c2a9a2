import { useEffect, useRef, useState } from 'preact/hooks';

/** History-API routing: the Worker (and Pages) answer every app path with index.html. */
const listeners = new Set<() => void>();

/** Editors holding unsaved edits (see useLeaveGuard): leaving asks first, in the app and on reload/close. */
const unsaved = new Set<object>();
addEventListener('beforeunload', (e) => {
  if (unsaved.size > 0) e.preventDefault();
});

const LEAVE = 'You have unsaved changes. Leave and lose them?';
const here = () => location.pathname + location.search;
/** The app URL listeners last rendered: Back/Forward has already changed location when it is heard. */
let shown = here();
const changed = () => {
  shown = here();
  for (const l of listeners) l();
};

export function navigate(to: string, replace = false): void {
  if (to === here()) return;
  if (unsaved.size > 0 && !confirm(LEAVE)) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  changed();
}

// Back and Forward cannot be cancelled: when the admin stays, the page they were on is put back.
addEventListener('popstate', () => {
  if (unsaved.size > 0 && here() !== shown && !confirm(LEAVE)) history.pushState(null, '', shown);
  else changed();
});

export function useRoute(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((t) => t + 1);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** `/flags/:key` → `{ key }`, or null when the path does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) out[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return null;
  }
  return out;
}

/** While `dirty`, navigating away (a link, the environment picker, closing the tab) asks first. */
export function useLeaveGuard(dirty: boolean): void {
  const owner = useRef({}).current;
  useEffect(() => {
    if (dirty) unsaved.add(owner);
    return () => void unsaved.delete(owner);
  }, [dirty]);
}
