import type { AuditRow } from '../api/types.ts';
import { diff } from '../lib/diff.ts';
import { Link } from './link.tsx';

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));
// Bookkeeping fields every write touches; listing them would bury the real change.
const NOISE = new Set(['updatedAt', 'version']);

export function AuditEntry({ entry }: { entry: AuditRow }) {
  const changes = diff(entry.before ?? undefined, entry.after ?? undefined).filter((c) => !NOISE.has(c.path));
  const created = entry.before === null && entry.after !== null;
  return (
    <li class="audit-entry">
      <div class="audit-head">
        <span class="audit-action">{entry.action}</span>
        {entry.resourceType === 'flag' || entry.resourceType === 'flag_config' ? (
          // Archived flags are reached from here too: their page offers the restore.
          <Link href={`/flags/${encodeURIComponent(entry.resourceKey)}`}>
            <code>{entry.resourceKey}</code>
          </Link>
        ) : (
          <code>{entry.resourceKey}</code>
        )}
        {entry.environment && <span class="badge">{entry.environment}</span>}
        <span class="muted small">
          {entry.actor} · <time dateTime={new Date(entry.at).toISOString()}>{new Date(entry.at).toLocaleString()}</time>
        </span>
      </div>
      {entry.reason && <p class="audit-reason">“{entry.reason}”</p>}
      {!created && changes.length > 0 && (
        <table class="diff">
          <caption class="visually-hidden">Changes</caption>
          <tbody>
            {changes.slice(0, 20).map((c) => (
              <tr key={c.path}>
                <th scope="row" class="diff-path">
                  <code>{c.path || '(value)'}</code>
                </th>
                <td class="diff-before">
                  <span class="visually-hidden">before: </span>
                  {show(c.before)}
                </td>
                <td class="diff-after">
                  <span class="visually-hidden">after: </span>
                  {show(c.after)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {created && (
        <details>
          <summary>Created with</summary>
          <pre>{JSON.stringify(entry.after, null, 2)}</pre>
        </details>
      )}
    </li>
  );
}
