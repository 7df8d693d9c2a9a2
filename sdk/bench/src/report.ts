import type { CompileTiming } from './compile-bench.ts';
import type { Timing } from './harness.ts';

export interface Row {
  name: string;
  pkg: string;
  mode: 'sync' | 'async';
  simple: Timing;
  rollout: Timing;
}

export const TARGETS = { simpleNs: 30, rolloutNs: 150, peerRatio: 5, compileMs: 5 };

const ns = (t: number): string => (t >= 100 ? t.toFixed(0) : t.toFixed(1)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** Half the interquartile range, as a percentage of the median. */
const spread = (t: Timing): string => `±${((50 * (t.q3 - t.q1)) / t.median).toFixed(1)}%`;
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

export function evaluationTable(rows: readonly Row[]): string {
  const header = ['SDK', 'package', 'simple ns/op', '±', 'rule + rollout ns/op', '±', 'calls/batch'];
  const body = rows.map((r) => [
    r.name,
    r.pkg + (r.mode === 'async' ? ' (awaited)' : ''),
    ns(r.simple.median),
    spread(r.simple),
    ns(r.rollout.median),
    spread(r.rollout),
    `${r.simple.batch.toLocaleString('en-US')} / ${r.rollout.batch.toLocaleString('en-US')}`,
  ]);
  return table([header, ...body], [false, false, true, true, true, true, true]);
}

/** Whether the timed phase had the CPU to itself: other processes competing inflate every figure. */
export function contentionNote(onCpu: number): string {
  const pct = Math.round(100 * onCpu);
  return onCpu >= 0.9
    ? `on-CPU: the main thread ran for ${pct}% of the timed phase's wall time`
    : `WARNING: the main thread was on-CPU for only ${pct}% of the timed phase's wall time: other processes ` +
        'competed for the CPU (figures are CPU time, but shared caches still inflate them and add noise); rerun on an idle machine';
}

export interface Comparison {
  flag: string;
  ours: number;
  fastestPeer: Row;
  fastestNs: number;
}

export function comparisons(ours: Row, peers: readonly Row[]): Comparison[] {
  const fastest = (pick: (r: Row) => number): Row => peers.reduce((a, b) => (pick(b) < pick(a) ? b : a));
  const simplePeer = fastest((r) => r.simple.median);
  const rolloutPeer = fastest((r) => r.rollout.median);
  return [
    { flag: 'simple', ours: ours.simple.median, fastestPeer: simplePeer, fastestNs: simplePeer.simple.median },
    { flag: 'rule + rollout', ours: ours.rollout.median, fastestPeer: rolloutPeer, fastestNs: rolloutPeer.rollout.median },
  ];
}

/** Guarded releases: what one recorded request (scope + tracked evaluation + outcome) adds to a bare evaluation. */
export function recordedRequestLines(bare: Row, recorded: Row): string {
  const line = (flag: string, b: Timing, r: Timing) =>
    `  ${flag.padEnd(15)} bare ${ns(b.median)} ns, recorded request ${ns(r.median)} ns: +${ns(r.median - b.median)} ns per recorded request`;
  return [
    'SDK recording cost (@edgeflags/node, flag under a live plan, one measure() scope per call):',
    line('simple', bare.simple, recorded.simple),
    line('rule + rollout', bare.rollout, recorded.rollout),
    '  flags under no plan pay nothing beyond the bare row (no scope lookup, no recording)',
  ].join('\n');
}

/** One run's figures, for the spread over runs. */
export interface Headline {
  /** edgeflags ns/op and ratio to the fastest peer, per flag, in each state. */
  warmed: { flag: string; ours: number; ratio: number; peer: string }[];
  realistic: { flag: string; ours: number; ratio: number; peer: string }[];
  /** Realistic over warmed median, per SDK and flag. */
  slowdown: { name: string; simple: number; rollout: number }[];
}

export function headlineOf(
  warm: readonly Row[],
  real: readonly Row[],
  warmCs: readonly Comparison[],
  realCs: readonly Comparison[],
): Headline {
  const brief = (cs: readonly Comparison[]) =>
    cs.map((c) => ({ flag: c.flag, ours: c.ours, ratio: c.fastestNs / c.ours, peer: c.fastestPeer.name }));
  const slowdown = real.flatMap((r) => {
    const w = warm.find((x) => x.name === r.name);
    return w ? [{ name: r.name, simple: r.simple.median / w.simple.median, rollout: r.rollout.median / w.rollout.median }] : [];
  });
  return { warmed: brief(warmCs), realistic: brief(realCs), slowdown };
}

/** What the realistic state costs each SDK, relative to its warmed state. */
export function stateLines(warm: readonly Row[], real: readonly Row[]): string {
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${(100 * (x - 1)).toFixed(0)}%`;
  const { slowdown } = headlineOf(warm, real, [], []);
  const header = ['SDK', 'simple: realistic vs warmed', 'rule + rollout: realistic vs warmed'];
  return [
    'realistic over warmed median, per SDK (the cost of having evaluated many varied flags):',
    table([header, ...slowdown.map((d) => [d.name, pct(d.simple), pct(d.rollout)])], [false, true, true]),
  ].join('\n');
}

/** edgeflags against the fastest peer in every run: min, median and max of the ratio per flag and state. */
export function spreadLines(runs: readonly Headline[]): string {
  const rows: string[][] = [];
  for (const state of ['realistic', 'warmed'] as const) {
    for (const flag of ['simple', 'rule + rollout']) {
      const picked = runs.map((r) => r[state].find((c) => c.flag === flag)!);
      const ratios = picked.map((c) => c.ratio).sort((a, b) => a - b);
      const ours = picked.map((c) => c.ours).sort((a, b) => a - b);
      rows.push([
        `${state} ${flag}`,
        ratios.map((x) => `${x.toFixed(1)}×`).join(' '),
        `${ratios[0]!.toFixed(1)}×`,
        `${ns(ours[0]!)}–${ns(ours.at(-1)!)} ns`,
        [...new Set(picked.map((c) => c.peer))].join(', '),
      ]);
    }
  }
  return [
    `spread over ${runs.length} run${runs.length === 1 ? '' : 's'} (each a fresh process; BENCH_RUNS sets how many):`,
    table(
      [['state, flag', 'edgeflags ÷ fastest peer, per run', 'worst', 'edgeflags ns/op', 'fastest peer'], ...rows],
      [false, false, true, true, false],
    ),
  ].join('\n');
}

export function ratioLines(cs: readonly Comparison[]): string {
  return cs
    .map((c) => {
      const ratio = c.fastestNs / c.ours;
      const how = ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`;
      return `  ${`${c.flag}:`.padEnd(16)} edgeflags is ${how} than the fastest peer (${c.fastestPeer.name}, ${ns(c.fastestNs)} ns)`;
    })
    .join('\n');
}

/** Targets in the realistic state (the headline); the warmed ratios are listed beside them. */
export function targetTable(
  ours: Row,
  cs: readonly Comparison[],
  compile: CompileTiming,
  nodeRows: readonly Row[] = [],
  warmCs: readonly Comparison[] = [],
): string {
  const [simple, rollout] = cs as [Comparison, Comparison];
  const warmed = warmCs.map((c): [string, string, boolean] => [
    `warmed ${c.flag} ≥ ${TARGETS.peerRatio}× fastest peer`,
    `${(c.fastestNs / c.ours).toFixed(1)}×`,
    c.fastestNs / c.ours >= TARGETS.peerRatio,
  ]);
  // The Node client's rule + rollout row against the same targets, through its public API.
  const node = nodeRows.flatMap((r): [string, string, boolean][] => [
    [`${r.name} rule + rollout ≤ ${TARGETS.rolloutNs} ns`, `${ns(r.rollout.median)} ns`, r.rollout.median <= TARGETS.rolloutNs],
    [
      `${r.name} rule + rollout ≥ ${TARGETS.peerRatio}× fastest peer`,
      `${(rollout.fastestNs / r.rollout.median).toFixed(1)}×`,
      rollout.fastestNs / r.rollout.median >= TARGETS.peerRatio,
    ],
  ]);
  const rows: [string, string, boolean][] = [
    [`realistic simple ≤ ${TARGETS.simpleNs} ns`, `${ns(ours.simple.median)} ns`, ours.simple.median <= TARGETS.simpleNs],
    [`realistic rule + rollout ≤ ${TARGETS.rolloutNs} ns`, `${ns(ours.rollout.median)} ns`, ours.rollout.median <= TARGETS.rolloutNs],
    [
      `realistic simple ≥ ${TARGETS.peerRatio}× fastest peer`,
      `${(simple.fastestNs / simple.ours).toFixed(1)}×`,
      simple.fastestNs / simple.ours >= TARGETS.peerRatio,
    ],
    [
      `realistic rule + rollout ≥ ${TARGETS.peerRatio}× fastest peer`,
      `${(rollout.fastestNs / rollout.ours).toFixed(1)}×`,
      rollout.fastestNs / rollout.ours >= TARGETS.peerRatio,
    ],
    [
      `swap in ${compile.flags.toLocaleString('en-US')} flags ≤ ${TARGETS.compileMs} ms (lazy)`,
      `${compile.swap.median.toFixed(2)} ms`,
      compile.swap.median <= TARGETS.compileMs,
    ],
    [
      `compile ${compile.flags.toLocaleString('en-US')} flags ≤ ${TARGETS.compileMs} ms (eager)`,
      `${compile.compile.median.toFixed(2)} ms`,
      compile.compile.median <= TARGETS.compileMs,
    ],
    ...warmed,
    ...node,
  ];
  return table([['target', 'measured', ''], ...rows.map(([what, got, ok]) => [what, got, verdict(ok)])], [false, true, false]);
}

export function compileLines(c: CompileTiming): string {
  const line = (label: string, s: CompileTiming['compile']): string =>
    `  ${label.padEnd(16)} median ${s.median.toFixed(2)} ms  (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}) over ${c.runs} runs after ${c.warmup} warm-up`;
  return [
    `snapshot: ${c.flags.toLocaleString('en-US')} flags, ${c.segments} segments, ${(c.jsonBytes / 1024).toFixed(0)} KiB of JSON`,
    `  ${'first compile'.padEnd(16)} ${c.first.toFixed(2)} ms  (cold JIT: this process's first ${c.flags.toLocaleString('en-US')}-flag compile, not in the median)`,
    `${line('swap (lazy)', c.swap)}  (what an SDK does with a pushed snapshot; each flag compiles on first use)`,
    `${line('compile (eager)', c.compile)}  (every flag up front: ${((c.compile.median / c.flags) * 1000).toFixed(1)} µs per flag)`,
    `${line('JSON.parse', c.parse)}  (reference)`,
  ].join('\n');
}

/** Left-aligned text columns, right-aligned numeric ones, a rule under the header. */
function table(rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const fmt = (r: readonly string[]): string =>
    r
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [fmt(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)].join('\n');
}
