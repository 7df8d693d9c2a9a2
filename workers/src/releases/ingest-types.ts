/**
 * What the metrics consumer hands a ReleaseConductor (docs/releases.md, /tmp design: RELEASES.md).
 * `OutcomeSummary` mirrors the SDK wire type in @edgeflags/core (sdk/core/src/metrics/outcomes.ts).
 */
export interface SketchData {
  /** Relative accuracy. */
  a: number;
  /** Bucket index → count. */
  b: Record<string, number>;
  /** Values ≤ 0. */
  z: number;
  n: number;
  /** Sum in ms. */
  s: number;
}

export interface OutcomeSummary {
  flag: string;
  variant: string;
  count: number;
  errors: number;
  latency?: SketchData;
  events?: Record<string, { count: number; sum: number }>;
}

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
