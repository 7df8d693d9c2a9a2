import type { Issue } from '../api/client.ts';
import { issuesAt } from '../lib/issues.ts';

/** The API's validation messages for one field, placed next to it and tied to it by `id`. */
export function FieldError({ issues, path, id }: { issues: readonly Issue[]; path: string; id?: string }) {
  const messages = issuesAt(issues, path);
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={id} role="alert">
      {messages.join('; ')}
    </p>
  );
}
