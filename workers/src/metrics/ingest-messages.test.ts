import type { OutcomeSummary } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCH_MESSAGES, MESSAGE_BYTES, sendGroups, toIngestMessages } from './ingest-messages.ts';

const stamp = { environment: 'production', receivedAt: 1, source: 'server' as const, caller: 'key:a' };
const summary = (flag: string, pad = 0): OutcomeSummary => ({
  flag,
  variant: 'on',
  count: 1,
  errors: 0,
  ...(pad > 0 && { events: { ['é'.repeat(60)]: { count: pad, sum: 0 } } }),
});

describe('toIngestMessages', () => {
  it('makes one message per flag, each under the queue’s message limit, counting UTF-8 bytes', () => {
    const big = Array.from({ length: 3_000 }, () => summary('a', 1));
    const messages = toIngestMessages(stamp, [...big, summary('b')]);
    expect(new Set(messages.map((m) => m.body.flag))).toEqual(new Set(['a', 'b']));
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) {
      const bytes = new TextEncoder().encode(JSON.stringify(m.body)).length;
      expect(bytes).toBeLessThanOrEqual(MESSAGE_BYTES);
      expect(m.bytes).toBeGreaterThanOrEqual(bytes);
    }
    expect(messages.reduce((t, m) => t + m.body.summaries.length, 0)).toBe(3_001);
  });
});

describe('sendGroups', () => {
  it('keeps each sendBatch within 100 messages and the byte budget', () => {
    const groups = sendGroups(Array.from({ length: 250 }, () => ({ bytes: 1_500 })));
    expect(groups.map((g) => g.length)).toEqual([BATCH_MESSAGES, BATCH_MESSAGES, 50]);
    const heavy = sendGroups(Array.from({ length: 5 }, () => ({ bytes: 90_000 })));
    for (const g of heavy) expect(g.reduce((t, m) => t + m.bytes, 0)).toBeLessThanOrEqual(BATCH_BYTES);
  });
});
