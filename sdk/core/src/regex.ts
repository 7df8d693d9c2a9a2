import { RE2JS, RE2JSSyntaxException } from 're2js';
import { MAX_REGEX_LENGTH } from './limits.ts';

/**
 * `matches` runs on RE2 (the re2js port), not on the runtime's backtracking RegExp: matching is
 * linear in the input, so no pattern that validates can stall an isolate (`^((a)+)+$` against
 * 40 characters takes hours on a backtracking engine). The same engine runs at the edge, in Node
 * and in browsers, so every runtime agrees. The cost is RE2's dialect: no lookaround and no
 * backreferences (they are what needs backtracking) — docs/regex.md lists what is refused.
 */
export interface Pattern {
  test(input: string): boolean;
}

/** Compiles a pattern, or says in plain words why the dialect cannot run it. */
export function compilePattern(pattern: string, caseInsensitive?: boolean): Pattern | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex is longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    return explain(e);
  }
}

const UNSUPPORTED = 'which the linear-time regex engine (RE2) does not support';

function explain(e: unknown): string {
  if (!(e instanceof RE2JSSyntaxException)) return `regex does not compile: ${e instanceof Error ? e.message : String(e)}`;
  const at = e.input ?? '';
  if (/^\(\?[=!]/.test(at)) return `regex uses a lookahead "${at.slice(0, 3)}", ${UNSUPPORTED}`;
  if (/^\(\?<[=!]/.test(at)) return `regex uses a lookbehind "${at.slice(0, 4)}", ${UNSUPPORTED}`;
  if (/^\\([1-9]|k)/.test(at)) return `regex uses a backreference "${at}", ${UNSUPPORTED}`;
  if (at === '\\u') return 'regex uses "\\u", which RE2 does not know: write the code point as \\x{00e9}';
  return `regex does not compile: ${e.error}${at ? ` at "${at.slice(0, 20)}"` : ''}`;
}
