import { describe, expect, it } from 'vitest';
import { MetricsPayloadSchema } from './metrics-schema.ts';
import { METRICS_LIMITS, type MetricsPayload, type OutcomeSummary } from './outcomes.ts';
import { LatencySketch } from './sketch.ts';

const sketch = () => {
  const s = new LatencySketch();
  for (const ms of [3, 40, 120, 0]) s.add(ms);
  return s.toJSON();
};
const summary = (over: Partial<OutcomeSummary> = {}): OutcomeSummary => ({
  flag: 'new-pdf-engine',
  variant: 'on',
  count: 10,
  errors: 1,
  latency: sketch(),
  events: { 'invoice-created': { count: 2, sum: 99.5 } },
  ...over,
});
const payload = (summaries: OutcomeSummary[]): MetricsPayload => ({ windowMs: 10_000, summaries });
const issues = (p: unknown) => MetricsPayloadSchema.safeParse(p).error?.issues.map((i) => i.message) ?? [];

describe('MetricsPayloadSchema', () => {
  it('accepts what an SDK sends, unchanged', () => {
    const p = payload([summary(), summary({ variant: 'off', latency: undefined, events: undefined })]);
    expect(MetricsPayloadSchema.parse(JSON.parse(JSON.stringify(p)))).toEqual(JSON.parse(JSON.stringify(p)));
  });

  it('refuses more errors than requests, and counts beyond the per-summary bound', () => {
    expect(issues(payload([summary({ errors: 11 })]))).toContain('errors cannot exceed count');
    expect(issues(payload([summary({ count: METRICS_LIMITS.count + 1, errors: 0 })]))).not.toEqual([]);
  });

  it('refuses more than 200 summaries, more than 20 event names, and names longer than 64', () => {
    expect(issues(payload(Array.from({ length: 201 }, () => summary())))).not.toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`e${i}`, { count: 1, sum: 1 }]));
    expect(issues(payload([summary({ events: many })]))).toContain('at most 20 event names per summary');
    expect(issues(payload([summary({ events: { ['x'.repeat(65)]: { count: 1, sum: 0 } } })]))).not.toEqual([]);
  });

  it('refuses sketches that lie: wrong accuracy, counts that do not add up, indices out of range, more latencies than requests', () => {
    const s = sketch();
    expect(issues(payload([summary({ latency: { ...s, a: 0.01 } })]))).toContain('relative accuracy must be 0.02');
    expect(issues(payload([summary({ latency: { ...s, n: s.n + 1 } })]))).toContain('n must equal z plus the bucket counts');
    expect(issues(payload([summary({ latency: { ...s, b: { '99999': 1 }, n: s.z + 1 } })]))).not.toEqual([]);
    expect(issues(payload([summary({ latency: { ...s, b: { x: 1 }, n: s.z + 1 } })]))).not.toEqual([]);
    expect(issues(payload([summary({ count: 2, errors: 0 })]))).toContain('latency.n cannot exceed count');
    // One index, one key: a non-canonical spelling would let two keys count the same bucket.
    for (const key of ['07', '1e3', '-0', ' 7'])
      expect(issues(payload([summary({ latency: { ...s, b: { [key]: 1 }, n: s.z + 1 } })]))).not.toEqual([]);
  });

  it('never lets an event named __proto__ reach a prototype, and refuses fields it does not know', () => {
    const body =
      '{"windowMs":1000,"summaries":[{"flag":"f","variant":"on","count":1,"errors":0,"events":{"__proto__":{"count":1,"sum":1}}}]}';
    const events = MetricsPayloadSchema.parse(JSON.parse(body)).summaries[0]?.events ?? {};
    expect(Object.keys(events)).toEqual([]);
    expect(Object.getPrototypeOf(events)).toBe(Object.prototype);
    expect(issues({ ...payload([]), extra: 1 })).not.toEqual([]);
  });
});
