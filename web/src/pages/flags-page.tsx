import { useSession } from '../app-context.ts';
import { EnvState } from '../components/env-state.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { FlagBadges, LifecycleLine } from '../components/flag-badges.tsx';
import { FlagFilters } from '../components/flag-filters.tsx';
import { Link } from '../components/link.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { navigate, useRoute } from '../hooks/use-route.ts';
import { type FlagFilter, filterFlags } from '../lib/flag-status.ts';
import { releaseSummary } from '../lib/release-summary.ts';

const PARAMS: [keyof FlagFilter, string][] = [
  ['search', 'q'],
  ['tag', 'tag'],
  ['owner', 'owner'],
  ['type', 'type'],
  ['status', 'status'],
  ['environment', 'env'],
];

export function FlagsPage() {
  const { api, environments, me } = useSession();
  const flags = useAsync(() => api.listFlags().then((r) => r.flags), []);
  // A Worker without guarded releases answers 404 here: the list then shows no release states.
  const releases = useAsync(
    () =>
      api.liveReleases().then(
        (r) => r.releases,
        () => [],
      ),
    [],
  );
  usePoll(() => {
    void flags.reload(true);
    void releases.reload(true);
  });
  const production = environments.find((e) => e.production) ?? environments[0];
  // Filters live in the URL: a filtered list can be shared, reloaded, and is still there after Back.
  const { path, query } = useRoute();
  const filter = Object.fromEntries(PARAMS.map(([k, p]) => [k, query.get(p) ?? ''])) as unknown as FlagFilter;
  filter.environment ||= production?.key ?? '';
  const setFilter = (f: FlagFilter) => {
    const q = new URLSearchParams();
    for (const [k, p] of PARAMS) if (f[k] && !(k === 'environment' && f[k] === production?.key)) q.set(p, f[k]);
    navigate(`${path}${q.size ? `?${q}` : ''}`, true);
  };
  const all = flags.data ?? [];
  const shown = filterFlags(all, filter);

  return (
    <section class="page">
      <div class="page-head">
        <h1>Flags</h1>
        {me.role !== 'viewer' && (
          <Link href="/flags/new" class="btn btn-primary">
            New flag
          </Link>
        )}
      </div>
      <FlagFilters flags={all} environments={environments} value={filter} onChange={setFilter} />
      <ErrorNote error={flags.error} />
      {flags.error && !flags.data ? (
        // Without an answer the list is unknown, not empty: "No flags match" here misled.
        <p class="empty">
          The flags could not be loaded.{' '}
          <button type="button" class="btn btn-sm" onClick={() => void flags.reload()}>
            Try again
          </button>
        </p>
      ) : !flags.data ? (
        <p class="muted" role="status">
          Loading flags…
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table flags-table">
            <caption class="visually-hidden">
              {shown.length} of {all.length} flags, with their state in every environment
            </caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Type</th>
                <th scope="col">Owner</th>
                {environments.map((e) => (
                  <th scope="col" key={e.key}>
                    {e.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <tr key={f.key}>
                  <td class="flag-cell">
                    <Link href={`/flags/${encodeURIComponent(f.key)}`} class="flag-link">
                      {f.name || f.key}
                    </Link>
                    <FlagBadges lifecycle={f.environments[filter.environment]?.lifecycle} />
                    <div class="flag-sub">
                      <code>{f.key}</code>
                      {f.tags.map((t) => (
                        <span class="tag" key={t}>
                          {t}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td data-label="Type">{f.type ?? '—'}</td>
                  <td data-label="Owner">{f.owner || '—'}</td>
                  {environments.map((e) => {
                    const plan = releases.data?.find((r) => r.flagKey === f.key && r.environment === e.key);
                    return (
                      <td key={e.key} data-label={e.name}>
                        <div>
                          <EnvState state={f.environments[e.key]} envName={e.name} />
                          <LifecycleLine lifecycle={f.environments[e.key]?.lifecycle} />
                          {plan && <span class={`release-line release-${plan.status}`}>Release: {releaseSummary(plan)}</span>}
                        </div>
                      </td>
                    );
                  })}
                </tr>
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={3 + environments.length} class="empty">
                    No flags match these filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
