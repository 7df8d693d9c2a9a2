import type { OutcomeSummary } from '@edgeflags/core';

export type { OutcomeSummary, SketchData } from '@edgeflags/core';

/** What the metrics consumer hands a ReleaseConductor: one flag's summaries from one message. */
export interface IngestBatch {
  environment: string;
  flag: string;
  /** Server time (ms) the edge received the summaries: windows are aligned on it, never on the SDK's clock. */
  receivedAt: number;
  /** `client`: sent with a browser (public) key; shown, but decides only when the plan opts in. */
  source: 'server' | 'client';
  /** The SDK key id, or a hash of the browser's IP: per-caller caps apply to it. */
  caller: string;
  /** This flag only. */
  summaries: OutcomeSummary[];
}

export interface IngestResult {
  accepted: number;
  dropped: number;
}
