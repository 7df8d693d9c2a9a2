import { ApiError } from './errors.ts';

/** Bodies nest at most this deep: recursive validation and compilation stay far from the stack limit. */
export const JSON_MAX_DEPTH = 32;
/** Keys that name prototype members: a parser keeps them, an object spread or zod record drops or obeys them. */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** JSON.parse with the limits above, for every request body: 400 `invalid_json` when unparseable, `invalid_request` past a limit. */
export function parseJson(text: string): unknown {
  const depth = nestingDepth(text, JSON_MAX_DEPTH);
  if (depth > JSON_MAX_DEPTH) throw new ApiError(400, 'invalid_request', `body nests deeper than ${JSON_MAX_DEPTH} levels`);
  let reserved: string | undefined;
  // A reviver sees every key after unescaping ("\u005f_proto__" too); only texts that could hold
  // one pay for it.
  const reviver = MAYBE_RESERVED.test(text)
    ? (key: string, value: unknown) => {
        if (RESERVED_KEYS.includes(key)) reserved ??= key;
        return value;
      }
    : undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, reviver);
  } catch {
    throw new ApiError(400, 'invalid_json', 'body is not valid JSON');
  }
  if (reserved !== undefined) throw new ApiError(400, 'invalid_request', `body: the key "${reserved}" is not allowed anywhere in a body`);
  return value;
}

const MAYBE_RESERVED = /__proto__|constructor|prototype|\\u/;

/** Deepest `[`/`{` nesting outside strings, counted without parsing; stops once past `stopAt`. */
export function nestingDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // Jump over the string (indexOf is far faster than a loop per character).
      i = closingQuote(text, i);
      if (i < 0) return max; // unterminated: JSON.parse says so
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAt) return max;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/** Index of the quote that closes the string opening at `open`: one not preceded by an odd run of backslashes. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at >= 0; at = text.indexOf('"', at + 1)) {
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return at;
  }
  return -1;
}
