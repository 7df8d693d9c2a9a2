import type { ComponentChildren } from 'preact';
import type { AuditRow } from '../api/types.ts';
import { actionLabel, actorName, fieldLabel, resourceName, valueText } from '../lib/audit-text.ts';
import { diff } from '../lib/diff.ts';
import { Link } from './link.tsx';

// Bookkeeping fields every write touches; listing them would bury the real change.
const NOISE = new Set(['updatedAt', 'version']);

/** One audit entry; `actions` (e.g. "Revert to this version") sit under its changes. */
export function AuditEntry({ entry, actions }: { entry: AuditRow; actions?: ComponentChildren }) {
  const changes = diff(entry.before ?? undefined, entry.after ?? undefined).filter((c) => !NOISE.has(c.path));
  const created = entry.before === null && entry.after !== null;
  // A revoke keeps the key's row (revoked_at set) and audits only "before": shown as a diff it
  // read as every field deleted.
  const revoked = entry.action.endsWith('.revoke');
  const actor = actorName(entry.actor);
  return (
    <li class="audit-entry">
      <div class="audit-head">
        <span class="audit-action">{actionLabel(entry.action)}</span>
        <code class="audit-code muted small">{entry.action}</code>
        {entry.resourceType === 'flag' || entry.resourceType === 'flag_config' ? (
          // Archived flags are reached from here too: their page offers the restore.
          <Link href={`/flags/${encodeURIComponent(entry.resourceKey)}`}>
            <code>{entry.resourceKey}</code>
          </Link>
        ) : (
          <span title={entry.resourceKey}>{resourceName(entry)}</span>
        )}
        {entry.environment && <span class="badge">{entry.environment}</span>}
        <span class="muted small">
          <span title={actor.id}>{actor.name}</span> ·{' '}
          <time dateTime={new Date(entry.at).toISOString()}>{new Date(entry.at).toLocaleString()}</time>
        </span>
      </div>
      {entry.reason && <p class="audit-reason">“{entry.reason}”</p>}
      {revoked && <p class="small">Revoked: it stops working at once. Its record stays, so this log can still name it.</p>}
      {!created && !revoked && changes.length > 0 && (
        <table class="diff">
          <caption class="visually-hidden">Changes</caption>
          <tbody>
            {changes.slice(0, 20).map((c) => (
              <tr key={c.path}>
                <th scope="row" class="diff-path">
                  {fieldLabel(c.path)}
                </th>
                <td class="diff-before">
                  <span class="visually-hidden">before: </span>
                  {valueText(c.before, c.path.split('.').pop())}
                </td>
                <td class="diff-after">
                  <span class="visually-hidden">after: </span>
                  {valueText(c.after, c.path.split('.').pop())}
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
      {actions && <div class="audit-actions">{actions}</div>}
    </li>
  );
}
