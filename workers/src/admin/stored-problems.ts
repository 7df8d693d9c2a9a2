import type { Snapshot } from '@edgeflags/core';
import { storedIssues } from '@edgeflags/core/schema';
import { z } from '@hono/zod-openapi';

export const StoredProblems = z
  .object({
    environment: z.string(),
    problems: z.array(
      z.object({
        kind: z.enum(['flag', 'segment', 'environment']),
        key: z.string().openapi({ description: 'The flag or segment key ("" for the environment as a whole)' }),
        path: z.string().openapi({ description: 'Where inside it, e.g. "rules.0.conditions.0.values.0"' }),
        message: z.string(),
      }),
    ),
  })
  .openapi('StoredProblems');

/**
 * What is stored but would not validate today: rules saved before validation grew stricter (a
 * lookaround regex before RE2, prerequisites beyond today's limits). They do not block other
 * writes; a flag holding one answers PARSE_ERROR (or evaluates in bounded work), and this lists
 * them so an admin can fix each (docs/regex.md).
 */
export function storedProblems(snapshot: Snapshot): z.infer<typeof StoredProblems>['problems'] {
  return storedIssues(snapshot).map((issue) => {
    const [group, index, ...rest] = issue.path;
    const entries = group === 'flags' ? snapshot.flags : group === 'segments' ? snapshot.segments : undefined;
    const key = typeof index === 'number' ? entries?.[index]?.key : undefined;
    if (key === undefined) return { kind: 'environment' as const, key: '', path: issue.path.map(String).join('.'), message: issue.message };
    return {
      kind: group === 'segments' ? ('segment' as const) : ('flag' as const),
      key,
      path: rest.map(String).join('.'),
      message: issue.message,
    };
  });
}
