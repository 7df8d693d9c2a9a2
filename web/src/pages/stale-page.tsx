import { useState } from 'preact/hooks';
import type { StaleReport } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { day, stateLabel } from '../components/flag-badges.tsx';
import { useAsync } from '../hooks/use-async.ts';

/**
 * The stale report (GET /reports/stale): which flags to take out of the code, since when, whose,
 * and the command that does it. The server decides every state; this page only shows them.
 */
export function StalePage() {
  const { api, environments } = useSession();
  const [only, setOnly] = useState('');
  const report = useAsync(() => api.staleReport(only || undefined), [only]);
  const r = report.data;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Stale flags</h1>
      </div>
      <div class="field field-inline">
        <label for="stale-env">Environment</label>
        <select id="stale-env" value={only} onChange={(e) => setOnly(e.currentTarget.value)}>
          <option value="">Production</option>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={report.error} />
      {!r ? (
        !report.error && <p class="muted">Loading…</p>
      ) : (
        <>
          <p class="stale-summary">
            Flags at 100% for more than 30 days: <strong>{r.summary.atFullOver30Days}</strong> · to remove from code:{' '}
            <strong>{r.summary.toRemove}</strong> <span class="muted">({r.environments.join(', ')})</span>
          </p>
          {r.flags.length === 0 ? (
            <p class="empty">No flag is waiting to be removed.</p>
          ) : (
            <Entries entries={r.flags} caption="Flags to remove from code" />
          )}
          {r.unknown.length > 0 && (
            <>
              <h2>No evaluation data</h2>
              <p class="muted">Rolled out past their lifetime, but nothing reports evaluating them: check before removing.</p>
              <Entries entries={r.unknown} caption="Flags without evaluation data" />
            </>
          )}
        </>
      )}
    </section>
  );
}

function Entries({ entries, caption }: { entries: StaleReport['flags']; caption: string }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            <th scope="col">Environment</th>
            <th scope="col">State</th>
            <th scope="col">Since</th>
            <th scope="col">Owner</th>
            <th scope="col">Cleanup</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((f) => (
            <tr key={`${f.environment}/${f.key}`}>
              <td>
                <a href={`/flags/${encodeURIComponent(f.key)}?env=${encodeURIComponent(f.environment)}`}>{f.name || f.key}</a>
              </td>
              <td data-label="Environment">{f.environment}</td>
              <td data-label="State" title={f.reason}>
                {stateLabel(f.state)} <span class="muted">· {f.reason}</span>
              </td>
              <td data-label="Since">{day(f.since)}</td>
              <td data-label="Owner">{f.owner || '—'}</td>
              <td data-label="Cleanup">
                <code>{f.command}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
