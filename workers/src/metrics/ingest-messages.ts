import type { OutcomeSummary } from '@edgeflags/core';
import type { IngestBatch } from '../releases/ingest-types.ts';

/**
 * Queue limits: 128 KB a message, and a sendBatch of at most 100 messages and 256 KB. A message
 * carries one flag (the conductor's unit), so a retry never repeats another flag's outcomes.
 */
export const MESSAGE_BYTES = 100_000;
export const BATCH_MESSAGES = 100;
export const BATCH_BYTES = 200_000;

type Stamp = Omit<IngestBatch, 'flag' | 'summaries'>;

const ASCII = /^[\x20-\x7e]*$/;
const encoder = new TextEncoder();
const bytesOf = (json: string) => (ASCII.test(json) ? json.length : encoder.encode(json).length);

/** One IngestBatch per flag, split further when a flag's summaries exceed one message. */
export function toIngestMessages(stamp: Stamp, summaries: readonly OutcomeSummary[]): { body: IngestBatch; bytes: number }[] {
  const byFlag = new Map<string, OutcomeSummary[]>();
  for (const s of summaries) {
    const list = byFlag.get(s.flag) ?? [];
    list.push(s);
    byFlag.set(s.flag, list);
  }
  const overhead = bytesOf(JSON.stringify({ ...stamp, flag: '', summaries: [] }));
  const out: { body: IngestBatch; bytes: number }[] = [];
  for (const [flag, list] of byFlag) {
    let current: IngestBatch | undefined;
    let bytes = 0;
    for (const s of list) {
      const size = bytesOf(JSON.stringify(s)) + 1;
      if (!current || bytes + size > MESSAGE_BYTES) {
        current = { ...stamp, flag, summaries: [] };
        bytes = overhead + flag.length;
        out.push({ body: current, bytes });
      }
      current.summaries.push(s);
      bytes += size;
      (out[out.length - 1] as { bytes: number }).bytes = bytes;
    }
  }
  return out;
}

/** Groups messages into sendBatch calls within the queue's count and size limits. */
export function sendGroups<T extends { bytes: number }>(messages: readonly T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (group.length === BATCH_MESSAGES || (group.length > 0 && bytes + m.bytes > BATCH_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += m.bytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
