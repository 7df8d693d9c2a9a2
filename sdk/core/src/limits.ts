/** Bounds shared by the evaluator and the schema, so what validates is what evaluates. */

/** Longest regex pattern accepted; longer ones are rejected when saved. */
export const MAX_REGEX_LENGTH = 256;
/** Longest attribute value a regex is run on: longer input never matches, bounding backtracking. */
export const MAX_REGEX_INPUT = 1024;
/** Deepest prerequisite chain evaluated. */
export const MAX_PREREQUISITE_DEPTH = 16;
