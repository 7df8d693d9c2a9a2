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
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
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
  type Headline,
  headlineOf,
  type Row,
  ratioLines,
  recordedRequestLines,
  spreadLines,
  stateLines,
  targetTable,
} from './report.ts';
import type { Evaluators, Sdk } from './sdk.ts';
import { buildVariedFlags, buildWarmUsers, VARIED_FLAG_COUNT, WARM_PASSES } from './varied.ts';
import { ROLLOUT_TOLERANCE, type Verdict, verify } from './verify.ts';

const PEERS: Sdk[] = [flagd, growthbook, unleash, launchdarkly, configcat];
const NODE_CLIENTS: Sdk[] = [edgeflagsNode, edgeflagsNodeExposures];
const ALL: Sdk[] = [floor, edgeflags, ...NODE_CLIENTS, edgeflagsNodeRecorded, ...PEERS];
/** Timed again in the realistic state (varied.ts), after the warmed state. */
const REALISTIC: Sdk[] = [edgeflags, edgeflagsNode, ...PEERS];

interface Ready {
  sdk: Sdk;
  ev: Evaluators;
  verdict: Verdict;
}

const HEADLINE_ONLY = process.argv.includes('--headline');
const HEADLINE_MARK = 'HEADLINE ';
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

/** The realistic state: every SDK set up anew with the varied flags, evaluated for every warm user, before anything is timed. */
async function setUpRealistic(users: readonly User[]): Promise<Ready[] | undefined> {
  const varied = buildVariedFlags();
  const warmUsers = buildWarmUsers();
  out(
    `realistic state: ${varied.length.toLocaleString('en-US')} varied flags in the same configuration, each evaluated for ${warmUsers.length} users × ${WARM_PASSES} passes before timing`,
  );
  const ready: Ready[] = [];
  for (const sdk of REALISTIC) {
    try {
      const started = performance.now();
      const ev = await sdk.setup(users, varied);
      if (!ev.evaluateVaried) throw new Error('no evaluateVaried');
      for (let pass = 0; pass < WARM_PASSES; pass++) for (const u of warmUsers) await ev.evaluateVaried(u);
      const verdict = await verify(ev, users);
      if (verdict.problems.length > 0) throw new Error(verdict.problems.join('; '));
      ready.push({ sdk, ev, verdict });
      out(`  ${sdk.name.padEnd(22)} set up and evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s, two flags verified`);
    } catch (e) {
      out(`  ${sdk.name.padEnd(22)} FAIL: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return undefined;
    }
  }
  return ready;
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
  out(
    `ns/op: the main thread's CPU time per call, median of ${DEFAULT_TIMING.rounds} interleaved rounds after warm-up; ± is half the interquartile range`,
  );
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
  out();
  let realistic: { rows: Row[]; onCpu: number } | undefined;
  try {
    const ready = await setUpRealistic(users);
    if (!ready) return 1;
    realistic = await timeAll(ready, label);
  } finally {
    await closeAll(REALISTIC);
  }
  const peersOf = (rows: readonly Row[]) => rows.filter((r) => PEERS.some((p) => p.name === r.name));
  const oursOf = (rows: readonly Row[]) => rows.find((r) => r.name === edgeflags.name)!;
  const warmCs = comparisons(oursOf(timed.rows), peersOf(timed.rows));
  const realCs = comparisons(oursOf(realistic.rows), peersOf(realistic.rows));
  if (HEADLINE_ONLY) {
    out(`${HEADLINE_MARK}${JSON.stringify(headlineOf(timed.rows, realistic.rows, warmCs, realCs))}`);
    return stopWatching().length > 0 ? 1 : 0;
  }

  // Snapshot compilation, last: its clean-compile check evaluates 1,000 flags of every shape.
  const compile = benchCompile();
  const regex = benchRegex();
  const attempts = stopWatching();

  const { rows, onCpu } = timed;
  out();
  out('warmed state (each SDK has seen only the two timed flags):');
  out(evaluationTable(rows));
  out(contentionNote(onCpu));
  out();
  out(ratioLines(warmCs));
  out();
  out(
    `realistic state (the same SDKs after ${VARIED_FLAG_COUNT.toLocaleString('en-US')} varied flags were compiled and evaluated in the process) — the headline:`,
  );
  out(evaluationTable(realistic.rows));
  out(contentionNote(realistic.onCpu));
  out();
  out(ratioLines(realCs));
  out();
  out(stateLines(timed.rows, realistic.rows));
  out();
  const runs = [headlineOf(timed.rows, realistic.rows, warmCs, realCs), ...(await extraRuns())];
  out(spreadLines(runs));
  out();
  out(recordedRequestLines(rows.find((r) => r.name === edgeflagsNode.name)!, rows.find((r) => r.name === edgeflagsNodeRecorded.name)!));
  out();
  out(compileLines(compile));
  out();
  out(regexLines(regex));
  out();
  const nodeRows = realistic.rows.filter((r) => r.name === edgeflagsNode.name);
  out(targetTable(oursOf(realistic.rows), realCs, compile, nodeRows, warmCs));

  if (attempts.length > 0) {
    out(`\nFAIL: ${attempts.length} network connection attempt(s) were blocked; the first from:\n${attempts[0]}`);
    return 1;
  }
  out('\nnetwork: no connection attempted');
  return 0;
}

/**
 * The spread over several runs: BENCH_RUNS - 1 more processes (default 3 runs in all), each
 * timing both states afresh; the realistic state cannot be undone within a process.
 */
async function extraRuns(): Promise<Headline[]> {
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const found: Headline[] = [];
  for (let i = 1; i < runs; i++) {
    out(`  run ${i + 1} of ${runs} in a fresh process…`);
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--headline'], { encoding: 'utf8' });
    const line = child.stdout.split('\n').find((l) => l.startsWith(HEADLINE_MARK));
    if (child.status !== 0 || !line) throw new Error(`run ${i + 1} failed (exit ${child.status}):\n${child.stdout}\n${child.stderr}`);
    found.push(JSON.parse(line.slice(HEADLINE_MARK.length)) as Headline);
  }
  return found;
}

process.exitCode = await main();
