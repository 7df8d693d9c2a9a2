/** Bounds shared by the evaluator and the schema, so what validates is what evaluates. */

/** Longest regex pattern accepted; longer ones are rejected when saved. */
export const MAX_REGEX_LENGTH = 256;
/** Longest attribute value a regex is run on: longer input never matches, bounding the work of one match. */
export const MAX_REGEX_INPUT = 1024;
/**
 * Most characters one `matches` condition reads from a list attribute: items are tried in order
 * until this many were read. Without it a 32 KB context of long list items made one condition
 * read all of them, every evaluation.
 */
export const MAX_REGEX_LIST_INPUT = 4 * MAX_REGEX_INPUT;
/**
 * Largest compiled regex (RE2 instructions). A match that leaves the DFA costs program × input,
 * and counted repetitions expand: `(?:.*a){1000}z` is 3,003 instructions and took 160–330 ms on
 * 1,024 characters. Every pattern in the vectors and docs/regex.md is under 150.
 */
export const MAX_REGEX_PROGRAM = 250;
/** Deepest prerequisite chain (edges from a flag to its farthest prerequisite) saved or evaluated. */
export const MAX_PREREQUISITE_DEPTH = 16;
/**
 * Most distinct flags reachable through one flag's prerequisites. With prerequisite results
 * memoised per evaluation this bounds one evaluation's work; without the bound, 46 valid flags
 * (3 prerequisites per level, 15 levels) took an anonymous evaluation about a second.
 */
export const MAX_PREREQUISITE_FLAGS = 32;
/** Deepest nesting of a JSON variant value: validation and evaluation never recurse near the stack limit. */
export const MAX_JSON_DEPTH = 32;
