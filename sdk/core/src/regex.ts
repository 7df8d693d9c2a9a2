import { RE2JS, RE2JSSyntaxException } from 're2js';
import { MAX_REGEX_LENGTH, MAX_REGEX_PROGRAM } from './limits.ts';

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

/** Compiles a pattern, or says in plain words why the dialect cannot run it or what it would cost. */
export function compilePattern(pattern: string, caseInsensitive?: boolean): Pattern | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex is longer than ${MAX_REGEX_LENGTH} characters`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    return explain(e);
  }
  const size = re.programSize();
  if (size > MAX_REGEX_PROGRAM) {
    return `regex compiles to ${size} instructions, more than ${MAX_REGEX_PROGRAM}: counted repetitions expand (a{1,200} is 200 copies of a), so write + or * instead`;
  }
  boundDfa(re);
  return re;
}

/**
 * DFA memory per pattern. re2js gives each pattern's DFA 8 MB and, when a match needs more,
 * clears it and starts over before it falls back to its NFA; with a large character class
 * (`\pL*a\pL{12}\pN`, 16 characters, 18 instructions) each input character builds a new state
 * with a table per class, so one 1,024-character match allocated megabytes and took 25–170 ms.
 * With 256 KB the same match gives up early and finishes on the NFA, whose cost is bounded by
 * MAX_REGEX_PROGRAM × input (docs/regex.md). Patterns whose states fit keep the DFA's speed.
 */
const REGEX_DFA_MEMORY = 256 * 1024;

/** The RE2 internals re2js exposes on `re2()`; absent in another release, the default stays. */
interface LazyDfaHolder {
  prog?: unknown;
  lazyDFA?: unknown;
  readonly dfa?: { constructor: new (prog: unknown, maxMem: number) => unknown };
}

function boundDfa(re: RE2JS): void {
  const engine = re.re2() as unknown as LazyDfaHolder;
  if (engine.prog === undefined || !('lazyDFA' in engine)) return;
  const Dfa = engine.dfa?.constructor;
  if (Dfa) engine.lazyDFA = new Dfa(engine.prog, REGEX_DFA_MEMORY);
}

/** The DFA memory a compiled pattern has (tests pin the bound to the re2js release in use). */
export function dfaMemoryOf(pattern: Pattern): number | undefined {
  const engine = (pattern as RE2JS).re2?.() as unknown as { lazyDFA?: { maxMem?: number } } | undefined;
  return engine?.lazyDFA?.maxMem;
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
