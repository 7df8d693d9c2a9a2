import { useState } from 'preact/hooks';
import type { AuditRow } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { AuditEntry } from '../components/audit-entry.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { Pending } from '../components/pending.tsx';
import { RevertConfig, revertable } from '../components/revert-config.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { navigate, useRoute } from '../hooks/use-route.ts';

export function AuditPage() {
  const { api, environments } = useSession();
  const { query } = useRoute();
  const [filter, setFilterState] = useState({
    flag: query.get('flag') ?? '',
    actor: query.get('actor') ?? '',
    environment: query.get('env') ?? '',
    since: query.get('since') ?? '',
  });
  // Mirrored in the URL, so a filtered log can be reloaded or sent to someone.
  const setFilter = (f: typeof filter) => {
    setFilterState(f);
    const q = new URLSearchParams(
      Object.entries({ flag: f.flag, actor: f.actor, env: f.environment, since: f.since }).filter(([, v]) => v),
    );
    navigate(`/audit${q.size ? `?${q}` : ''}`, true);
  };
  const [older, setOlder] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const params = () => ({
    flag: filter.flag.trim() || undefined,
    actor: filter.actor.trim() || undefined,
    environment: filter.environment || undefined,
    since: filter.since ? Date.parse(filter.since) : undefined,
    limit: 50,
  });
  const page = useAsync(async () => {
    const r = await api.audit(params());
    setOlder([]);
    setNext(r.next);
    return r.entries;
  }, [filter.flag, filter.actor, filter.environment, filter.since]);
  // New entries appear live; older pages the admin loaded stay put.
  usePoll(() => page.reload(true), undefined, older.length === 0);
  const more = async () => {
    if (next === null) return;
    const r = await api.audit({ ...params(), before: next });
    setOlder([...older, ...r.entries]);
    setNext(r.next);
  };
  const set = (k: keyof typeof filter) => (e: Event) => setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value });
  const entries = [...(page.data ?? []), ...older];
  return (
    <section class="page">
      <h1>Audit log</h1>
      <search class="filters">
        <div class="field">
          <label for="audit-flag">Flag or resource key</label>
          {/* Uncontrolled: the filter applies on change (Enter or leaving the field), and a re-render
              meanwhile (the live poll) must not wipe what the admin is still typing. */}
          <input id="audit-flag" type="search" defaultValue={filter.flag} onChange={set('flag')} />
        </div>
        <div class="field">
          <label for="audit-actor">Actor</label>
          <input id="audit-actor" type="search" defaultValue={filter.actor} onChange={set('actor')} />
        </div>
        <div class="field field-inline">
          <label for="audit-env">Environment</label>
          <select id="audit-env" value={filter.environment} onChange={set('environment')}>
            <option value="">Any</option>
            {environments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="audit-since">Since</label>
          <input id="audit-since" type="date" value={filter.since} onChange={set('since')} />
        </div>
      </search>
      <ErrorNote error={page.error} />
      <Pending state={page} what="the audit log" />
      <ol class="audit-list" aria-label="Audit entries, newest first">
        {entries.map((e) => (
          <AuditEntry key={e.id} entry={e} actions={revertable(e) && <RevertConfig entry={e} onDone={() => page.reload(true)} />} />
        ))}
        {page.data && entries.length === 0 && <li class="empty">No entries match.</li>}
      </ol>
      {next !== null && (
        <button type="button" class="btn" onClick={() => void more()}>
          Load older entries
        </button>
      )}
    </section>
  );
}
