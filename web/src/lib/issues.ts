import { ApiError, type Issue } from '../api/client.ts';

/** Messages of the API's validation issues at `path` or below it (e.g. `rules.0` covers `rules.0.serve.split`). */
export function issuesAt(issues: readonly Issue[], path: string): string[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`)).map((i) => plainIssue(i.message));
}

// zod's wording ("Too small: expected string to have >=1 characters") is for developers; these are
// the ones people meet in the forms, in words. Anything else (custom rule messages) is already plain.
const PLAIN: [RegExp, string][] = [
  [/^Too small: expected string to have >=1 characters?$/, 'Required.'],
  [/^Invalid input: expected \w+, received undefined$/, 'Required.'],
  [/^Too small: expected array to have >=1 items?$/, 'Add at least one.'],
  [/^Too small: expected string to have >=(\d+) characters$/, 'Use at least $1 characters.'],
  [/^Too big: expected string to have <=(\d+) characters$/, 'Use at most $1 characters.'],
  [/^Too big: expected array to have <=(\d+) items$/, 'At most $1 allowed.'],
  [/^Invalid input: expected (\w+), received \w+$/, 'Must be a $1.'],
  [/^Invalid option: expected one of (.*)$/, 'Choose one of $1.'],
];

export function plainIssue(message: string): string {
  for (const [re, words] of PLAIN) if (re.test(message)) return message.replace(re, words);
  return message;
}

/**
 * The form-level note for a failed save. When the API's issues are shown on their fields, the note
 * only points at them: repeating "json.rules.0.0.values.0: …" above the form said everything twice.
 */
export function formError(e: unknown): string {
  if (e instanceof ApiError && e.issues.length > 0) return 'Not saved: fix the fields marked below.';
  return e instanceof Error ? e.message : String(e);
}
