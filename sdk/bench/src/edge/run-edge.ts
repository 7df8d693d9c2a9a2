/**
 * Edge benchmarks (issue: edge control plane): Worker CPU of one 50-flag bulk evaluation, the
 * edge read path with a slow hub and the hub load of a simulated fleet (read-path.ts), the kill
 * switch reaching 1,000 browser stream clients, the OFREP server provider at 500/s for 60 s, and
 * bulk-endpoint throughput on loopback — the last three against the real Worker under
 * `wrangler dev` (D1, KV, Durable Objects in workerd).
 * Targets are reported as PASS/MISS and never fail the run; a broken setup exits 1.
 *
 *   npm run bench:edge        (or: npm run bench, which runs the evaluation bench first)
 */
import { startLocalWorker } from '../../../../scripts/local-worker.mjs';
import { benchBulkCpu } from './bulk-cpu.ts';
import { benchBulkLoad } from './bulk-load.ts';
import { benchFanout, fanoutLines } from './fanout.ts';
import { benchKillSwitch } from './kill-switch.ts';
import { benchMetricsIngest, ingestLines } from './metrics-ingest.ts';
import { benchOfrepLoad, ofrepLoadLine } from './ofrep-load.ts';
import { benchFleet, benchReadLatency, readPathLines } from './read-path.ts';

const TARGETS = { bulkCpuMs: 0.2, killSwitchP99Ms: 250 };
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const f = (n: number, digits = 1) => n.toFixed(digits);

console.log('edgeflags edge benchmarks (medians; shared 2-core machine, so quote ratios and medians)\n');

const cpu = benchBulkCpu();
if (cpu.answered !== cpu.flags) throw new Error(`bulk evaluation answered ${cpu.answered} of ${cpu.flags} flags`);
console.log(
  `bulk evaluation, ${cpu.flags} flags, one context (parse + validate + evaluate + ETag + serialize): ` +
    `median ${f(cpu.medianMs * 1000)} µs (IQR ${f(cpu.q1Ms * 1000)}–${f(cpu.q3Ms * 1000)} µs)`,
);
for (const line of ingestLines(benchMetricsIngest())) console.log(line);
const readLatency = await benchReadLatency();
const fleet = await benchFleet();
for (const line of readPathLines(readLatency, fleet)) console.log(line);

const worker = await startLocalWorker();
try {
  const ks = await benchKillSwitch(worker);
  console.log(
    `kill switch → ${ks.clients} browser WebSocket clients × ${ks.toggles} toggles: new value held by ${ks.delivered}/${ks.clients * ks.toggles} ` +
      `(${ks.viaPush} from the push's values, ${ks.viaRefetch} by refetch, ${ks.refetchFailures} refetches failed); from the toggle request sent to the new value received: ` +
      `p50 ${f(ks.p50Ms)} ms, p99 ${f(ks.p99Ms)} ms, max ${f(ks.maxMs)} ms (from the admin API's answer: p99 ${f(ks.fromAnswerP99Ms)} ms)`,
  );
  const ofrep = await benchOfrepLoad(worker);
  console.log(ofrepLoadLine(ofrep));
  const load = await benchBulkLoad(worker);
  const failed = Object.entries(load.failures).map(([s, n]) => `${n}× ${s}`);
  console.log(
    `POST /sdk/v1/evaluate under load (${load.concurrency} concurrent, keep-alive, ${f(load.seconds)} s): ` +
      `${Math.round(load.rps)} req/s, p50 ${f(load.p50Ms)} ms, p99 ${f(load.p99Ms)} ms, ${load.requests} requests` +
      (failed.length ? `, non-200: ${failed.join(', ')}` : ', all 200'),
  );
  console.log('\ntargets');
  console.log(
    `  bulk evaluation CPU ≤ ${TARGETS.bulkCpuMs} ms        ${f(cpu.medianMs, 3)} ms  ${verdict(cpu.medianMs <= TARGETS.bulkCpuMs)}`,
  );
  const allDelivered = ks.delivered === ks.clients * ks.toggles;
  console.log(
    `  kill switch p99 ≤ ${TARGETS.killSwitchP99Ms} ms, request sent → value held (1,000 clients) ${f(ks.p99Ms)} ms  ${verdict(allDelivered && ks.p99Ms <= TARGETS.killSwitchP99Ms)}`,
  );
  console.log(`  OFREP server provider 500/s for 60 s: 429s = 0   ${ofrep.tooManyRequests}  ${verdict(ofrep.tooManyRequests === 0)}`);
  const slowNew = readLatency.filter((r) => r.path === 'new' && r.hubMs > 0);
  console.log(
    `  no request waits on a slow hub (new path)  ${slowNew.reduce((n, r) => n + r.waited, 0)} waited  ${verdict(slowNew.every((r) => r.waited === 0))}`,
  );
  console.log('  peers: LaunchDarkly claims ~200 ms for streamed changes; Unleash, Statsig, PostHog, ConfigCat poll every 10–60 s.');
} finally {
  await worker.dispose();
}

// Issue 9 §2: 10,000 server WebSockets, single hub beside 8 shards (its own workerd under Miniflare).
for (const line of fanoutLines(await benchFanout())) console.log(line);
