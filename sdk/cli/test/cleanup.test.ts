// `edgeflags cleanup`: one fixture per form (test/fixtures/cleanup/<case>/input.tsx → expected.tsx),
// rewritten in memory exactly as the command would write it, and one refusal fixture per thing
// it cannot prove safe.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Final } from '../src/cleanup/fold.ts';
import { cleanup } from '../src/cleanup/run.ts';
import { unifiedDiff } from '../src/cleanup/text.ts';

const fixtures = path.resolve(import.meta.dirname, 'fixtures/cleanup');
const KEY = 'new-checkout';
const ON: Final = { value: true, variant: 'on' };
const OFF: Final = { value: false, variant: 'off' };

const run = (name: string, final: Final) => cleanup(path.join(fixtures, name), ['input.tsx'], KEY, final);
const read = (name: string, file: string) => readFileSync(path.join(fixtures, name, file), 'utf8');

const FORMS: [string, string, Final][] = [
  ['if-else', 'if/else: the then-branch unwrapped and dedented, comments kept', ON],
  ['if-else-off', 'else if: the flag off leaves the else branch', OFF],
  ['ternary', 'ternaries, negated too', ON],
  ['and-or', '&& and || in expressions and conditions', ON],
  ['jsx', 'JSX {flag && <X/>}, {!flag && <X/>} and ternaries, React useFeatureFlag(key).enabled', ON],
  ['early-return', 'early returns: the guard goes, or the code after a kept return goes', ON],
  ['alias-const', 'a const alias (uses folded, shorthand property kept), const and enum keys, awaited OpenFeature', ON],
  ['variant', 'variant and value reads compared with literals', { value: 'contrast', variant: 'dark' }],
];

describe('edgeflags cleanup rewrites each form', () => {
  for (const [name, what, final] of FORMS) {
    it(`${name}: ${what}`, () => {
      const result = run(name, final);
      expect(result.refusals).toEqual([]);
      expect(result.changed.get('input.tsx')?.after).toBe(read(name, 'expected.tsx'));
    });
  }

  it('early-return with the flag off keeps the legacy path and drops what follows a kept return', () => {
    const after = run('early-return', OFF).changed.get('input.tsx')?.after ?? '';
    expect(after).toContain("export function handler(): string {\n  return render('legacy');\n}");
    expect(after).toContain("export function other(): string {\n  const legacy = render('legacy');\n  return legacy;\n}");
  });

  it('prints a unified patch of only the changed lines', () => {
    const { before, after } = run('ternary', ON).changed.get('input.tsx')!;
    expect(unifiedDiff('src/input.tsx', before, after)).toBe(
      [
        '--- a/src/input.tsx',
        '+++ b/src/input.tsx',
        '@@ -3,6 +3,6 @@',
        ' const flags = createClient({ offline: true });',
        ' declare function render(page: string): string;',
        ' ',
        "-export const label = flags.isEnabled('new-checkout') ? render('New') : render('Old');",
        "-export const title = !flags.isEnabled('new-checkout') ? 'Legacy' : 'Checkout';",
        "+export const label = render('New');",
        "+export const title = 'Checkout';",
        ' ',
        '',
      ].join('\n'),
    );
  });
});

const REFUSALS: [string, string][] = [
  ['refuse-side-effect', 'side effects in its arguments'],
  ['refuse-reassigned', 'is reassigned'],
  ['refuse-exported', 'is exported: it is used elsewhere'],
  ['refuse-right-side', 'on the right of &&'],
  ['refuse-details', 'returns more than the value'],
  ['refuse-runtime-key', 'chosen at run time'],
];

describe('edgeflags cleanup refuses what it cannot prove safe', () => {
  for (const [name, message] of REFUSALS) {
    it(`${name}: "${message}", and changes nothing`, () => {
      const result = run(name, ON);
      expect(result.refusals.map((r) => r.message).join('\n')).toContain(message);
      expect(result.changed.size).toBe(0);
    });
  }
});
