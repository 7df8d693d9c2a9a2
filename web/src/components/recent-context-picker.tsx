import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';

const LIMIT = 50;
const time = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** Real contexts beat invented ones: offer the latest ones the SDKs sent with their exposures. */
export function RecentContextPicker({ id, env, onPick }: { id: string; env: string; onPick: (context: Record<string, unknown>) => void }) {
  const { api } = useSession();
  const recent = useAsync(() => api.recentContexts(env, LIMIT).then((r) => r.contexts), [env]);
  const contexts = recent.data ?? [];
  // Nothing to offer (no SDK traffic yet, or the Worker predates /contexts): stay out of the way.
  if (contexts.length === 0) return null;
  return (
    <div class="field">
      <label for={id}>Fill from a recent context</label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          const key = e.currentTarget.value;
          const picked = contexts.find((c) => c.contextKey === key);
          if (picked) onPick(picked.context);
        }}
      >
        <option value="">Choose one of {contexts.length} seen by SDKs…</option>
        {contexts.map((c) => (
          <option key={c.contextKey} value={c.contextKey}>
            {c.contextKey} · {time(c.seenAt)}
          </option>
        ))}
      </select>
    </div>
  );
}
