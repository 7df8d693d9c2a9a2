import type { ComponentType } from 'preact';
import { useAsync } from './hooks/use-async.ts';

/**
 * Pages opened now and then load as their own chunks, so the first load (the flags list and a
 * flag's page) stays within its budget; `load` must name its module statically for the bundler.
 */
function Lazy({ load }: { load: () => Promise<ComponentType> }) {
  // Wrapped: a component is a function, which a state setter would call as an updater.
  const page = useAsync(() => load().then((Page) => ({ Page })), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.Page /> : <p class="muted">Loading…</p>;
}

export const GraphRoute = () => <Lazy load={() => import('./pages/graph-page.tsx').then((m) => m.GraphPage)} />;
export const PoliciesRoute = () => <Lazy load={() => import('./pages/policies-page.tsx').then((m) => m.PoliciesPage)} />;
export const NewFlagRoute = () => <Lazy load={() => import('./pages/new-flag-page.tsx').then((m) => m.NewFlagPage)} />;
export const PeopleRoute = () => <Lazy load={() => import('./pages/people-page.tsx').then((m) => m.PeoplePage)} />;
export const KeysRoute = () => <Lazy load={() => import('./pages/keys-page.tsx').then((m) => m.KeysPage)} />;
export const EnvironmentsRoute = () => <Lazy load={() => import('./pages/environments-page.tsx').then((m) => m.EnvironmentsPage)} />;
