/**
 * What a `matches` condition costs since regexes run on RE2 (re2js) rather than the runtime's
 * backtracking RegExp: one flag with one regex rule, evaluated through core for 1,024 emails,
 * beside the same pattern on a native RegExp (what core ran before) and an `endsWith` rule (no
 * regex at all). The pathological line is the reason for the change: `^(\w|\d)+$` on 40 digits and a "!" is linear on RE2; a backtracking engine needs about 2^40 steps (hours),
 * so that line times 20 digits natively, which already takes tens of milliseconds.
 *
 * Run from the repository root: PATH=$PWD/node_modules/.bin:$PATH node sdk/bench/src/regex-bench.ts
 * (`npm run bench` prints the same lines after the peer table.)
 */
import { type Condition, compileSnapshot, type EvaluationContext, type FlagDefinition } from '@edgeflags/core';
import { quantile } from './harness.ts';

export interface RegexTiming {
  /** ns per evaluation, median of rounds. */
  re2: number;
  nativeRegExp: number;
  endsWith: number;
  /** µs for one evaluation of the pathological pattern on 41 characters (RE2). */
  pathologicalRe2Us: number;
  /** ms for the same pattern on 20 digits with a native RegExp (each extra character doubles it). */
  pathologicalNativeMs: number;
}

const PATTERN = '^[a-z0-9.]+\\+qa3@example\\.com$';
const PATHOLOGICAL = '^(\\w|\\d)+$';

const flag = (key: string, condition: Condition): FlagDefinition => ({
  key,
  kind: 'boolean',
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  rules: [{ conditions: [condition], serve: { variant: 'on' } }],
  defaultServe: { variant: 'off' },
});

const CONTEXTS: EvaluationContext[] = Array.from({ length: 1024 }, (_, i) => ({ email: `user${i}.x+qa${i % 9}@example.com` }));

function nsPerOp(fn: (ctx: EvaluationContext) => boolean, rounds = 15, batch = 200_000): number {
  let hits = 0;
  for (let i = 0; i < batch; i++) hits += fn(CONTEXTS[i & 1023]!) ? 1 : 0;
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) hits += fn(CONTEXTS[i & 1023]!) ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  if (hits === 0) throw new Error('no context matched: the bench would time the miss path only');
  return quantile(
    samples.sort((a, b) => a - b),
    0.5,
  );
}

export function benchRegex(): RegexTiming {
  const snapshot = compileSnapshot({
    environment: 'bench',
    version: 1,
    flags: [
      flag('regex', { attribute: 'email', op: 'matches', values: [PATTERN] }),
      flag('suffix', { attribute: 'email', op: 'endsWith', values: ['+qa3@example.com'] }),
      flag('pathological', { attribute: 'name', op: 'matches', values: [PATHOLOGICAL] }),
    ],
  });
  const native = new RegExp(PATTERN);
  const re2 = nsPerOp((ctx) => snapshot.evaluate<boolean>('regex', ctx, false).value);
  // The old core path: the RegExp test inside a predicate, as operators.ts compiled it.
  const nativeRegExp = nsPerOp((ctx) => native.test(String(ctx.email)));
  const endsWith = nsPerOp((ctx) => snapshot.evaluate<boolean>('suffix', ctx, false).value);

  const long = { name: `${'1'.repeat(40)}!` };
  snapshot.evaluate('pathological', long);
  let start = process.hrtime.bigint();
  const missed = snapshot.evaluate('pathological', long).value === false;
  const pathologicalRe2Us = Number(process.hrtime.bigint() - start) / 1e3;
  start = process.hrtime.bigint();
  new RegExp(PATHOLOGICAL).test(`${'1'.repeat(20)}!`);
  const pathologicalNativeMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (!missed) throw new Error('the pathological pattern matched a string ending in "!"');
  return { re2, nativeRegExp, endsWith, pathologicalRe2Us, pathologicalNativeMs };
}

export function regexLines(t: RegexTiming): string {
  return [
    `regex condition (${PATTERN}, 1,024 emails), ns per evaluation:`,
    `  edgeflags on RE2 (re2js) ${t.re2.toFixed(0)} · native RegExp test alone ${t.nativeRegExp.toFixed(0)} · endsWith rule ${t.endsWith.toFixed(0)}`,
    `pathological ${PATHOLOGICAL}: RE2 on 40 digits and "!" ${t.pathologicalRe2Us.toFixed(1)} µs · native RegExp on 20 digits and "!" ${t.pathologicalNativeMs.toFixed(0)} ms (doubles per character)`,
  ].join('\n');
}

if (import.meta.main) process.stdout.write(`${regexLines(benchRegex())}\n`);
