/**
 * Side-by-side evaluation benchmark: @edgeflags/core against the in-process evaluators of
 * GrowthBook, Unleash, flagd, LaunchDarkly and ConfigCat, all offline, on the same two flags
 * ("simple": on for everyone; "rule + rollout": country in US/GB, then 50% by user id) and the
 * same 1,024 users. Every SDK is verified before it is timed; a wrong setup exits 1. Targets
 * are reported as PASS/MISS and never fail the run.
 *
 * Run from the repository root (Node 24 runs the TypeScript directly; the system node is older):
 *   npm run bench
 * or: PATH=$PWD/node_modules/.bin:$PATH node --expose-gc sdk/bench/src/run.ts
 * (--expose-gc lets each timed round start with the previous round's garbage collected.)
 * Type-check: npx tsc -p sdk/bench
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchCompile } from './compile-bench.ts';
import { buildUsers, isRolloutCountry, type User } from './contexts.ts';
import { edgeflags } from './edgeflags.ts';
import { edgeflagsNode, edgeflagsNodeExposures, edgeflagsNodeRecorded } from './edgeflags-node.ts';
import { ROLLOUT_PERCENT } from './flags.ts';
import { floor } from './floor.ts';
import { DEFAULT_TIMING, prepare, type Runner, timeRounds } from './harness.ts';
import { forbidNetwork } from './no-network.ts';
import { configcat } from './peers/configcat.ts';
import { flagd } from './peers/flagd.ts';
import { growthbook } from './peers/growthbook.ts';
import { launchdarkly } from './peers/launchdarkly.ts';
import { unleash } from './peers/unleash.ts';
import { benchRegex, regexLines } from './regex-bench.ts';
import {
  comparisons,
  compileLines,
  contentionNote,
  evaluationTable,
  type Row,
  ratioLines,
  recordedRequestLines,
  targetTable,
} from './report.ts';
import type { Evaluators, Sdk } from './sdk.ts';
import { ROLLOUT_TOLERANCE, type Verdict, verify } from './verify.ts';

const PEERS: Sdk[] = [flagd, growthbook, unleash, launchdarkly, configcat];
const NODE_CLIENTS: Sdk[] = [edgeflagsNode, edgeflagsNodeExposures];
const ALL: Sdk[] = [floor, edgeflags, ...NODE_CLIENTS, edgeflagsNodeRecorded, ...PEERS];

interface Ready {
  sdk: Sdk;
  ev: Evaluators;
  verdict: Verdict;
}

const out = (line = ''): void => void process.stdout.write(`${line}\n`);

function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies?: Record<string, string> };
  return pkg.devDependencies ?? {};
}

async function closeAll(sdks: readonly Sdk[]): Promise<void> {
  for (const sdk of sdks) {
    try {
      await sdk.close?.();
    } catch (e) {
      out(`  ${sdk.name}: close failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Sets every SDK up and verifies it, printing a line each; undefined if any is wrong. */
async function setUpAll(users: readonly User[]): Promise<Ready[] | undefined> {
  out(`correctness: simple on for all; rule + rollout off outside US/GB, ${ROLLOUT_PERCENT}% ± ${ROLLOUT_TOLERANCE} on inside`);
  const ready: Ready[] = [];
  let failed = false;
  for (const sdk of ALL) {
    try {
      const ev = await sdk.setup(users);
      const verdict = await verify(ev, users);
      ready.push({ sdk, ev, verdict });
      const rate = ((100 * verdict.eligibleOn) / verdict.eligible).toFixed(1);
      const status = verdict.problems.length === 0 ? 'ok' : `FAIL: ${verdict.problems.join('; ')}`;
      out(
        `  ${sdk.name.padEnd(22)} simple ${verdict.simpleOn}/${users.length}  US/GB ${verdict.eligibleOn}/${verdict.eligible} on (${rate}%)  others on: ${verdict.leaked}  ${status}`,
      );
      if (verdict.problems.length > 0) failed = true;
    } catch (e) {
      failed = true;
      out(`  ${sdk.name.padEnd(22)} FAIL: setup threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  return failed ? undefined : ready;
}

/** Warms each SDK × flag up and sizes its batches, then times them all in interleaved rounds. */
async function timeAll(ready: readonly Ready[], label: (sdk: Sdk) => string): Promise<{ rows: Row[]; onCpu: number }> {
  const runners: Runner[] = [];
  for (const { sdk, ev, verdict } of ready) {
    const started = performance.now();
    runners.push(await prepare(ev, 'simple', verdict.simpleOn), await prepare(ev, 'rollout', verdict.rolloutOn));
    out(`  warmed up ${sdk.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const started = performance.now();
  const { timings, onCpu } = await timeRounds(runners);
  out(`  timed ${DEFAULT_TIMING.rounds} interleaved rounds in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const rows = ready.map(({ sdk, ev }, i) => ({
    name: sdk.name,
    pkg: label(sdk),
    mode: ev.mode,
    simple: timings[2 * i]!,
    rollout: timings[2 * i + 1]!,
  }));
  return { rows, onCpu };
}

async function main(): Promise<number> {
  const stopWatching = forbidNetwork();
  const users = buildUsers();
  const pinned = versions();
  const label = (sdk: Sdk): string => (sdk.pkg ? `${sdk.pkg}${pinned[sdk.pkg] ? `@${pinned[sdk.pkg]}` : ''}` : '-');

  out(
    `edgeflags evaluation benchmark — node ${process.version}, ${process.platform}/${process.arch}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}`,
  );
  out(`${users.length.toLocaleString('en-US')} users (${users.filter(isRolloutCountry).length} in US/GB), the same for every SDK`);
  out(`ns/op: median of ${DEFAULT_TIMING.rounds} interleaved rounds after warm-up; ± is half the interquartile range`);
  out(
    globalThis.gc
      ? 'heap collected before each timed round (--expose-gc)'
      : 'no --expose-gc: a batch may pay for garbage left by another SDK',
  );
  out();

  let timed: { rows: Row[]; onCpu: number } | undefined;
  try {
    const ready = await setUpAll(users);
    if (!ready) {
      out('\nan SDK is set up wrong: not timing anything');
      return 1;
    }
    out();
    timed = await timeAll(ready, label);
  } finally {
    await closeAll(ALL);
  }

  // Snapshot compilation, last: its clean-compile check evaluates 1,000 varied flags, which
  // would leave edgeflags' shared evaluation code polymorphic while the peers' saw two flags.
  const compile = benchCompile();
  const regex = benchRegex();
  const attempts = stopWatching();

  const { rows, onCpu } = timed;
  const ours = rows.find((r) => r.name === edgeflags.name)!;
  const cs = comparisons(
    ours,
    rows.filter((r) => PEERS.some((p) => p.name === r.name)),
  );
  out();
  out(evaluationTable(rows));
  out(contentionNote(onCpu));
  out();
  out(ratioLines(cs));
  out();
  out(recordedRequestLines(rows.find((r) => r.name === edgeflagsNode.name)!, rows.find((r) => r.name === edgeflagsNodeRecorded.name)!));
  out();
  out(compileLines(compile));
  out();
  out(regexLines(regex));
  out();
  const nodeRows = rows.filter((r) => NODE_CLIENTS.some((n) => n.name === r.name));
  out(targetTable(ours, cs, compile, nodeRows));

  if (attempts.length > 0) {
    out(`\nFAIL: ${attempts.length} network connection attempt(s) were blocked; the first from:\n${attempts[0]}`);
    return 1;
  }
  out('\nnetwork: no connection attempted');
  return 0;
}

process.exitCode = await main();
