import { useState } from 'preact/hooks';
import { canWrite } from '../api/can-write.ts';
import { useSession } from '../app-context.ts';
import { EnvPicker, useEnvParam } from '../components/env-picker.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { Pending } from '../components/pending.tsx';
import { SegmentForm } from '../components/segment-form.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';

export function SegmentsPage() {
  const { api, me, environments, notify } = useSession();
  const env = useEnvParam();
  const segments = useAsync(() => api.listSegments(env).then((r) => r.segments), [env]);
  const [editing, setEditing] = useState<string>();
  usePoll(() => segments.reload(true), undefined, editing === undefined);
  const writable = canWrite(
    me,
    environments.find((e) => e.key === env),
  );
  const done = () => {
    setEditing(undefined);
    void segments.reload(true);
  };
  const remove = async (key: string, version: number) => {
    if (!confirm(`Delete segment ${key} in ${env}?`)) return;
    try {
      await api.deleteSegment(env, key, version);
      notify(`Deleted segment ${key}.`);
      void segments.reload(true);
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  };
  return (
    <section class="page">
      <div class="page-head">
        <h1>Segments</h1>
        <div class="row">
          <EnvPicker />
          {writable && (
            <button type="button" class="btn btn-primary" onClick={() => setEditing('')}>
              New segment
            </button>
          )}
        </div>
      </div>
      <ErrorNote error={segments.error} />
      <Pending state={segments} what="segments" />
      {editing === '' && <SegmentForm env={env} onDone={done} />}
      <ul class="list">
        {(segments.data ?? []).map((s) => (
          <li key={s.key} class="list-item">
            <div class="list-main">
              <strong>{s.name || s.key}</strong> <code>{s.key}</code>
              <div class="muted small">
                {s.definition.attribute ?? 'targetingKey'} · {s.definition.included?.length ?? 0} included ·{' '}
                {s.definition.excluded?.length ?? 0} excluded
                {s.definition.rules?.length ? ` · ${s.definition.rules.length} rule group${s.definition.rules.length > 1 ? 's' : ''}` : ''}
                {s.description && ` · ${s.description}`}
              </div>
            </div>
            {writable && (
              <div class="btn-group">
                <button type="button" class="btn btn-sm" onClick={() => setEditing(s.key)} aria-label={`Edit segment ${s.key}`}>
                  Edit
                </button>
                <button
                  type="button"
                  class="btn btn-sm btn-danger-text"
                  onClick={() => void remove(s.key, s.version)}
                  aria-label={`Delete segment ${s.key}`}
                >
                  Delete
                </button>
              </div>
            )}
            {editing === s.key && <SegmentForm env={env} segment={s} onDone={done} />}
          </li>
        ))}
        {segments.data?.length === 0 && <li class="empty">No segments in this environment yet.</li>}
      </ul>
    </section>
  );
}
