import type { Issue } from '../api/client.ts';

/** Messages of the API's validation issues at `path` or below it (e.g. `rules.0` covers `rules.0.serve.split`). */
export function issuesAt(issues: readonly Issue[], path: string): string[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`)).map((i) => i.message);
}
