import { useAsync } from './hooks/use-async.ts';
import { match, useRoute } from './hooks/use-route.ts';
import { EnvironmentsRoute, GraphRoute, KeysRoute, NewFlagRoute, PeopleRoute, PoliciesRoute } from './lazy-routes.tsx';
import { EvaluatePage } from './pages/evaluate-page.tsx';
import { FlagPage } from './pages/flag-page.tsx';
import { FlagsPage } from './pages/flags-page.tsx';
import { SegmentsPage } from './pages/segments-page.tsx';

export function Routes() {
  const { path } = useRoute();
  if (path === '/' || path === '/flags') return <FlagsPage />;
  if (path === '/flags/new') return <NewFlagRoute />;
  const flag = match('/flags/:key', path);
  if (flag) return <FlagPage flagKey={flag.key!} />;
  if (path === '/evaluate') return <EvaluatePage />;
  if (path === '/segments') return <SegmentsPage />;
  if (path === '/environments') return <EnvironmentsRoute />;
  if (path === '/keys') return <KeysRoute />;
  if (path === '/people') return <PeopleRoute />;
  if (path === '/audit') return <AuditRoute />;
  if (path === '/webhooks') return <WebhooksRoute />;
  if (path === '/reports/stale') return <StaleRoute />;
  if (path === '/graph') return <GraphRoute />;
  if (path === '/policies') return <PoliciesRoute />;
  if (path === '/changes') return <ChangesRoute />;
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>.
      </p>
    </section>
  );
}

/** Webhooks are an admin's occasional page: their own chunk, so the first load stays in budget. */
function WebhooksRoute() {
  const page = useAsync(() => import('./pages/webhooks-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.WebhooksPage /> : <p class="muted">Loading…</p>;
}

/** The audit log is read now and then: its own chunk too (names, diffs), off the first load. */
function AuditRoute() {
  const page = useAsync(() => import('./pages/audit-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.AuditPage /> : <p class="muted">Loading…</p>;
}

/** Change requests are reviewed now and then: their own chunk, off the first load. */
function ChangesRoute() {
  const page = useAsync(() => import('./pages/changes-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.ChangesPage /> : <p class="muted">Loading…</p>;
}

/** The stale report is a weekly read: its own chunk, off the first load. */
function StaleRoute() {
  const page = useAsync(() => import('./pages/stale-page.tsx'), []);
  if (page.error) return <p class="error-note">{page.error.message}</p>;
  return page.data ? <page.data.StalePage /> : <p class="muted">Loading…</p>;
}
