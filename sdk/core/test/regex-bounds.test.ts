// What one regex condition may cost (issue 8 item 11, review): RE2 is linear in the input, but
// re2js's constants are not small. A pattern's program is bounded when it is saved, its DFA's
// memory when it is compiled, and a list attribute is read only up to a budget.
import { describe, expect, it } from 'vitest';
import { compileSnapshot, MAX_REGEX_INPUT, MAX_REGEX_LIST_INPUT, MAX_REGEX_PROGRAM } from '../src/index.ts';
import { compilePattern, dfaMemoryOf } from '../src/regex.ts';
import { FlagDefinitionSchema } from '../src/schema/index.ts';

const flagWith = (pattern: string) => ({
  key: 'f',
  kind: 'boolean' as const,
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  rules: [{ conditions: [{ attribute: 'tags', op: 'matches' as const, values: [pattern] }], serve: { variant: 'on' } }],
  defaultServe: { variant: 'off' },
});

describe('regex program size', () => {
  it(`refuses a pattern that compiles past ${MAX_REGEX_PROGRAM} instructions, saying why, and keeps common ones`, () => {
    // 3,003 instructions: 160–330 ms per 1,024-character match once the DFA gives up.
    const refused = compilePattern('(?:.*a){1000}z');
    expect(refused).toMatch(/3003 instructions, more than 250/);
    expect(FlagDefinitionSchema.safeParse(flagWith('(?:.*a){1000}z')).success).toBe(false);
    for (const ok of ['^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', '\\p{L}{1,64}', '^(\\d{1,3}\\.){3}\\d{1,3}$'])
      expect(typeof compilePattern(ok)).toBe('object');
  });

  it('answers PARSE_ERROR for a stored pattern past the limit, that flag only', () => {
    const snap = compileSnapshot({ environment: 'e', version: 1, flags: [flagWith('(?:.*a){1000}z')] });
    expect(snap.evaluate('f', { tags: 'a' })).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
  });
});

describe('regex DFA memory', () => {
  it('gives each pattern a bounded DFA instead of re2js’s 8 MB, which a 16-character pattern filled per match', () => {
    const pattern = compilePattern('\\pL*a\\pL{12}\\pN');
    expect(typeof pattern).toBe('object');
    expect(dfaMemoryOf(pattern as Exclude<typeof pattern, string>)).toBe(256 * 1024);
  });
});

describe('regex input from a list attribute', () => {
  it(`reads at most ${MAX_REGEX_LIST_INPUT} characters of a list, items past ${MAX_REGEX_INPUT} never`, () => {
    const snap = compileSnapshot({ environment: 'e', version: 1, flags: [flagWith('^x$')] });
    const filler = (n: number) => Array.from({ length: n }, () => 'y'.repeat(MAX_REGEX_INPUT));
    expect(snap.evaluate('f', { tags: [...filler(3), 'x'] }).value).toBe(true);
    expect(snap.evaluate('f', { tags: [...filler(4), 'x'] }).value).toBe(false);
    expect(snap.evaluate('f', { tags: ['z'.repeat(MAX_REGEX_INPUT + 1), 'x'] }).value).toBe(true);
  });
});
