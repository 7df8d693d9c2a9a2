import { useSession } from '../app-context.ts';
import { navigate, useRoute } from '../hooks/use-route.ts';

/** The environment a page is about, kept in `?env=` so links and reloads keep it. */
export function useEnvParam(): string {
  const { environments } = useSession();
  const { query } = useRoute();
  const key = query.get('env');
  return environments.some((e) => e.key === key) ? key! : (environments[0]?.key ?? '');
}

export function EnvPicker({ id = 'env-picker' }: { id?: string }) {
  const { environments } = useSession();
  const { path, query } = useRoute();
  const value = useEnvParam();
  return (
    <div class="field field-inline">
      <label for={id}>Environment</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          query.set('env', e.currentTarget.value);
          navigate(`${path}?${query}`, true);
        }}
      >
        {environments.map((e) => (
          <option key={e.key} value={e.key}>
            {e.name}
          </option>
        ))}
      </select>
    </div>
  );
}
