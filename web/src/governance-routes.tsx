import { useAsync } from './hooks/use-async.ts';

/** The dependency graph is read before archiving something: its own chunk, off the first load. */
export function GraphRoute() {
  const page = useAsync(() => import('./pages/graph-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.GraphPage /> : <p class="muted">Loading…</p>;
}

/** Policies are set once and reviewed now and then: their own chunk too. */
export function PoliciesRoute() {
  const page = useAsync(() => import('./pages/policies-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.PoliciesPage /> : <p class="muted">Loading…</p>;
}
