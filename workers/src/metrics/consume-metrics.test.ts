import type { OutcomeSummary } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import type { IngestBatch } from '../releases/ingest-types.ts';
import { consumeMetrics, groupForIngest, type IngestTarget } from './consume-metrics.ts';

const T = 1_800_000_000_000;
const s = (flag: string, variant = 'on'): OutcomeSummary => ({ flag, variant, count: 1, errors: 0 });
const body = (flag: string, over: Partial<IngestBatch> = {}): IngestBatch => ({
  environment: 'production',
  flag,
  receivedAt: T + 100,
  source: 'server',
  caller: 'key:a',
  summaries: [s(flag)],
  ...over,
});

/** A queue message as the runtime hands it, recording what the consumer did with it. */
function message(b: IngestBatch) {
  const m = {
    body: b,
    acked: false,
    retried: false,
    ack() {
      m.acked = true;
    },
    retry() {
      m.retried = true;
    },
  };
  return m;
}
const batchOf = (messages: ReturnType<typeof message>[]) =>
  ({ queue: 'edgeflags-metrics', messages }) as unknown as MessageBatch<IngestBatch>;

describe('groupForIngest', () => {
  it('groups by (environment, flag), one conductor each, and merges one caller’s messages of the same second', () => {
    const groups = groupForIngest([
      { body: body('a') },
      { body: body('a', { receivedAt: T + 900 }) },
      { body: body('a', { caller: 'key:b' }) },
      { body: body('a', { receivedAt: T + 1_000 }) },
      { body: body('a', { environment: 'staging' }) },
      { body: body('b') },
    ]);
    expect([...groups.keys()]).toEqual(['production:a', 'staging:a', 'production:b']);
    const a = groups.get('production:a') ?? [];
    expect(a.map((g) => [g.batch.caller, g.batch.receivedAt, g.batch.summaries.length, g.messages.length])).toEqual([
      ['key:a', T, 2, 2],
      ['key:b', T, 1, 1],
      ['key:a', T + 1_000, 1, 1],
    ]);
  });

  it('never merges server and browser outcomes of the same caller name', () => {
    const groups = groupForIngest([{ body: body('a') }, { body: body('a', { source: 'client' }) }]);
    expect(groups.get('production:a')?.map((g) => g.batch.source)).toEqual(['server', 'client']);
  });
});

describe('consumeMetrics', () => {
  it('hands each conductor its flag’s batches and acks them', async () => {
    const calls: [string, IngestBatch][] = [];
    const target = (name: string): IngestTarget => ({
      ingest: async (b) => {
        calls.push([name, b]);
        return { accepted: b.summaries.length, dropped: 0 };
      },
    });
    const messages = [message(body('a')), message(body('b')), message(body('a'))];
    await consumeMetrics(batchOf(messages), {} as never, target);
    expect(calls.map(([n, b]) => [n, b.summaries.length])).toEqual([
      ['production:a', 2],
      ['production:b', 1],
    ]);
    expect(messages.every((m) => m.acked && !m.retried)).toBe(true);
  });

  it('retries only the messages whose conductor failed, so no other flag is counted twice', async () => {
    const target = (name: string): IngestTarget => ({
      ingest: async (b) => {
        if (name === 'production:b') throw new Error('overloaded');
        return { accepted: b.summaries.length, dropped: 0 };
      },
    });
    const messages = [message(body('a')), message(body('b'))];
    await consumeMetrics(batchOf(messages), {} as never, target);
    expect(messages.map((m) => [m.acked, m.retried])).toEqual([
      [true, false],
      [false, true],
    ]);
  });
});
