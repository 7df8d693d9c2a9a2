import type { Env } from '../env.ts';
import type { IngestBatch, IngestResult } from '../releases/ingest-types.ts';
import { conductorName } from '../releases/release-conductor.ts';

/** The queue's name in wrangler.toml: the Worker's one `queue` handler dispatches on it. */
export const METRICS_QUEUE = 'edgeflags-metrics';

/** What the consumer needs of a conductor (ReleaseConductor's RPC), so grouping is testable alone. */
export interface IngestTarget {
  ingest(batch: IngestBatch): Promise<IngestResult>;
}

export interface IngestGroup<M> {
  batch: IngestBatch;
  messages: M[];
}

/**
 * Groups messages by (environment, flag) — one conductor each — and within a conductor merges
 * the messages of one caller and source received in the same second into one ingest call:
 * windows are whole seconds, so the merge never moves an outcome to another window, and the
 * caller's caps see the same caller.
 */
export function groupForIngest<M extends { body: IngestBatch }>(messages: readonly M[]): Map<string, IngestGroup<M>[]> {
  const conductors = new Map<string, Map<string, IngestGroup<M>>>();
  for (const m of messages) {
    const b = m.body;
    const name = conductorName(b.environment, b.flag);
    const second = Math.floor(b.receivedAt / 1000) * 1000;
    const id = JSON.stringify([b.source, b.caller, second]);
    const groups = conductors.get(name) ?? new Map<string, IngestGroup<M>>();
    conductors.set(name, groups);
    const group = groups.get(id);
    if (group) {
      group.batch.summaries.push(...b.summaries);
      group.messages.push(m);
    } else groups.set(id, { batch: { ...b, receivedAt: second, summaries: [...b.summaries] }, messages: [m] });
  }
  return new Map([...conductors].map(([name, groups]) => [name, [...groups.values()]]));
}

/**
 * Queue consumer: one conductor's calls run in order, conductors in parallel. A message is acked
 * once its outcomes are in, or retried alone when its call failed — never the whole batch,
 * which would count the others twice.
 */
export async function consumeMetrics(
  batch: MessageBatch<IngestBatch>,
  env: Pick<Env, 'CONDUCTOR'>,
  conductor: (name: string) => IngestTarget = (name) => env.CONDUCTOR.getByName(name),
): Promise<void> {
  const byConductor = groupForIngest(batch.messages);
  await Promise.all(
    [...byConductor].map(async ([name, groups]) => {
      const target = conductor(name);
      for (const group of groups) {
        try {
          await target.ingest(group.batch);
          for (const m of group.messages) m.ack();
        } catch (e) {
          console.warn(`metrics for "${name}" not ingested; retrying`, e);
          for (const m of group.messages) m.retry({ delaySeconds: 5 });
        }
      }
    }),
  );
}
