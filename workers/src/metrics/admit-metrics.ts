import { MetricsPayloadSchema } from '@edgeflags/core/schema';
import { validationError } from '../errors.ts';
import { parseJson } from '../parse-json.ts';
import type { IngestBatch } from '../releases/ingest-types.ts';
import { toIngestMessages } from './ingest-messages.ts';
import { admissibleSummaries, type SnapshotText } from './tracked-flags.ts';

export interface Admitted {
  messages: { body: IngestBatch; bytes: number }[];
  accepted: number;
  dropped: number;
}

/**
 * What `POST /sdk/v1/metrics` does with a body before the queue, as one pure step (the bench times
 * exactly this): parse with the body limits, check the shape and its bounds (throws 400 — a
 * refused body enqueues nothing), keep what the snapshot allows, and stamp one message per flag.
 */
export function admitMetrics(text: string, snap: SnapshotText, stamp: Omit<IngestBatch, 'flag' | 'summaries'>): Admitted {
  const parsed = MetricsPayloadSchema.safeParse(parseJson(text));
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const summaries = admissibleSummaries(snap, stamp.source, parsed.data.summaries);
  return {
    messages: summaries.length > 0 ? toIngestMessages(stamp, summaries) : [],
    accepted: summaries.length,
    dropped: parsed.data.summaries.length - summaries.length,
  };
}
