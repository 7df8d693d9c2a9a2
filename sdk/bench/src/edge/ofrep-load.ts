/**
 * A backend at a realistic rate (issue 9 §3, §5): the official OpenFeature OFREP server provider
 * (@openfeature/ofrep-provider, one HTTP request per evaluation) at a steady 500 evaluations a
 * second for 60 s from one process against the local Worker (`wrangler dev`, 127.0.0.1 only),
 * with the default limits of wrangler.toml. Every answer's status is counted through the
 * provider's fetch; the server tier must never answer 429 at this rate.
 */
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';

interface Worker {
  url: string;
  keys: { server: string };
}

export interface OfrepLoad {
  rate: number;
  seconds: number;
  /** Evaluations started and finished. */
  evaluations: number;
  /** Evaluations that resolved with an error code (429s and anything else). */
  errors: number;
  statuses: Record<string, number>;
  tooManyRequests: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
}

const MAX_IN_FLIGHT = 64;
const FLAGS = ['ai-chatbot', 'new-pdf-engine', 'bulk-invoice-api', 'maintenance-mode'];

export async function benchOfrepLoad(worker: Worker, { rate = 500, seconds = 60 } = {}): Promise<OfrepLoad> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(worker.url)) throw new Error(`refusing to load ${worker.url}: 127.0.0.1 only`);
  const statuses: Record<string, number> = {};
  const counted: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    return res;
  };
  const domain = `bench-ofrep-${Date.now()}`;
  await OpenFeature.setProviderAndWait(
    domain,
    new OFREPProvider({ baseUrl: worker.url, headers: [['Authorization', `Bearer ${worker.keys.server}`]], fetchImplementation: counted }),
  );
  const client = OpenFeature.getClient(domain);
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  // Evaluations start on schedule whether or not earlier ones have answered, up to MAX_IN_FLIGHT
  // at once (as a backend's connection pool would): a local dev server on a busy machine that
  // falls behind then shows as a lower achieved rate, not as a pile of timed-out requests.
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    for (; started < due && inflight.size < MAX_IN_FLIGHT; started++) {
      const i = started;
      const begun = performance.now();
      const p = client
        .getBooleanDetails(FLAGS[i % FLAGS.length]!, false, {
          targetingKey: `user-${i % 5000}`,
          accountId: `acct-${i % 500}`,
          plan: 'pro',
          country: 'GB',
        })
        .then((d) => {
          latencies.push(performance.now() - begun);
          if (d.errorCode) errors++;
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  await OpenFeature.clearProviders();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    rate,
    seconds,
    evaluations: latencies.length,
    errors,
    statuses,
    tooManyRequests: statuses['429'] ?? 0,
    achievedRate: latencies.length / elapsed,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
  };
}

export function ofrepLoadLine(r: OfrepLoad): string {
  const codes = Object.entries(r.statuses)
    .map(([s, n]) => `${n.toLocaleString('en-US')}× ${s}`)
    .join(', ');
  return (
    `OFREP server provider (@openfeature/ofrep-provider), one process, ${r.rate}/s for ${r.seconds} s, default limits: ` +
    `${r.evaluations.toLocaleString('en-US')} evaluations (${r.achievedRate.toFixed(0)}/s achieved), 429s: ${r.tooManyRequests}, ` +
    `errors: ${r.errors}; statuses ${codes}; p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`
  );
}
