// ReleaseConductor: one Durable Object per flag per environment (`${environment}:${flagKey}`)
// that runs the flag's live release plan (docs/releases.md). The metrics consumer hands it
// per-variant summaries (`ingest`); its alarm decides every settings.windowSeconds.

import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import type { IngestBatch, IngestResult } from './ingest-types.ts';

export type { IngestBatch, IngestResult } from './ingest-types.ts';

/** The conductor's name for a flag in an environment. */
export const conductorName = (environment: string, flagKey: string) => `${environment}:${flagKey}`;

export class ReleaseConductor extends DurableObject<Env> {
  /** Summaries for this flag, from the metrics queue consumer. */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    return { accepted: batch.summaries.length, dropped: 0 };
  }

  override async alarm(): Promise<void> {}
}
