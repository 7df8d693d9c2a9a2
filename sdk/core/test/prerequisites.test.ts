import { describe, expect, it } from 'vitest';
import { compileSnapshot, type FlagDefinition, MAX_PREREQUISITE_DEPTH, MAX_PREREQUISITE_FLAGS } from '../src/index.ts';
import { SnapshotSchema } from '../src/schema/index.ts';

/** On when the context's `probe` is "yes" and every prerequisite serves "on". */
const flag = (key: string, prerequisites: string[]): FlagDefinition => ({
  key,
  kind: 'boolean',
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  prerequisites: prerequisites.map((p) => ({ flag: p, variants: ['on'] })),
  rules: [{ conditions: [{ attribute: 'probe', op: 'equals', values: ['yes'] }], serve: { variant: 'on' } }],
  defaultServe: { variant: 'off' },
});

/** The attack: `top` needs 3 flags, each of which needs the same 3 of the next level, 15 levels down (46 flags). */
function diamond(levels: number, width: number): FlagDefinition[] {
  const level = (n: number) => Array.from({ length: width }, (_, i) => `l${n}-${i}`);
  const flags = [flag('top', level(1))];
  for (let n = 1; n <= levels; n++) for (const key of level(n)) flags.push(flag(key, n < levels ? level(n + 1) : []));
  return flags;
}

const chain = (edges: number) => Array.from({ length: edges + 1 }, (_, i) => flag(`c${i}`, i < edges ? [`c${i + 1}`] : []));

/** A context that counts how often a rule reads it: one read per flag evaluated. */
function countingContext() {
  const ctx = {
    reads: 0,
    get probe() {
      ctx.reads++;
      return 'yes';
    },
  };
  return ctx;
}

const issues = (flags: FlagDefinition[]) => SnapshotSchema.safeParse({ environment: 'e', version: 1, flags }).error?.issues ?? [];

describe('prerequisite fan-out', () => {
  it('refuses the 46-flag diamond at validation, naming the limit on reachable flags', () => {
    const flags = diamond(15, 3);
    expect(flags).toHaveLength(46);
    const top = issues(flags).find((i) => i.path.join('.') === 'flags.0.prerequisites');
    expect(top?.message).toMatch(`at most ${MAX_PREREQUISITE_FLAGS} may be reachable from one flag (MAX_PREREQUISITE_FLAGS)`);
  });

  it(`accepts prerequisites reaching ${MAX_PREREQUISITE_FLAGS} flags`, () => {
    // 3 × 10 levels = 30 reachable, plus a chain of 2 hanging off the last level.
    const flags = diamond(10, 3);
    flags.find((f) => f.key === 'l10-0')!.prerequisites = [{ flag: 'c0', variants: ['on'] }];
    flags.push(...chain(1));
    expect(issues(flags)).toEqual([]);
  });

  it(`refuses a chain deeper than ${MAX_PREREQUISITE_DEPTH} and accepts one exactly that deep`, () => {
    expect(issues(chain(MAX_PREREQUISITE_DEPTH))).toEqual([]);
    const refused = issues(chain(MAX_PREREQUISITE_DEPTH + 1)).find((i) => i.path.join('.') === 'flags.0.prerequisites');
    expect(refused?.message).toMatch(`nest ${MAX_PREREQUISITE_DEPTH + 1} deep; at most ${MAX_PREREQUISITE_DEPTH} levels`);
  });

  it('evaluates each flag of a diamond once per evaluation, however many paths reach it', () => {
    // compileSnapshot does not validate: a snapshot stored before the limit still evaluates in bounded work.
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags: diamond(15, 3) }, { eager: true });
    const ctx = countingContext();
    expect(snapshot.evaluate('top', ctx, false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    expect(ctx.reads).toBe(46);
    const again = countingContext();
    snapshot.evaluate('top', again, false);
    expect(again.reads).toBe(46);
  });

  it('still switches a flag off when a shared prerequisite fails, on every path', () => {
    const flags = [flag('top', ['a', 'b']), flag('a', ['shared']), flag('b', ['shared']), { ...flag('shared', []), enabled: false }];
    const snapshot = compileSnapshot({ environment: 'e', version: 1, flags });
    expect(snapshot.evaluate('top', { probe: 'yes' }, false)).toMatchObject({ value: false, reason: 'DISABLED', prerequisite: 'a' });
    expect(snapshot.evaluate('b', { probe: 'yes' }, false)).toMatchObject({ value: false, prerequisite: 'shared' });
  });
});
