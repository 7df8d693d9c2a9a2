import type { ReleaseSettings, Stage } from '../plan-schema.ts';
import type { VariantAggregate } from '../types.ts';

/** One decision window: the rollout's variant against the concurrent control, same clock. */
export interface StageWindow {
  /** Server time (ms) the window starts. */
  start: number;
  treatment: VariantAggregate;
  control: VariantAggregate;
}

export interface StageInput {
  stage: Stage;
  settings: ReleaseSettings;
  /** 0 for the first stage: the ratio test's share of α depends on it (docs/releases.md, Statistics). */
  stageIndex: number;
  lastStage: boolean;
  /** Since the stage started. */
  elapsedMs: number;
  /**
   * Server time (ms) the stage started. Windows starting before it belong to earlier stages and
   * are left out of this stage's tests. When absent it is inferred as the end of the last window
   * minus elapsedMs.
   */
  stageStartedAt?: number;
  /** The whole release so far, oldest first. */
  windows: StageWindow[];
  /** The manual gate of this stage was granted. */
  approved: boolean;
}

export type StageAction = 'advance' | 'hold' | 'wait_approval' | 'rollback' | 'complete';

/** Which rule decided, in the order they are tried (see decide-stage.ts). */
export type DecisionRule =
  | 'error_ratio'
  | 'error_rate_max'
  | 'latency_p95_max'
  | 'latency_p95_ratio'
  | 'latency_p99_max'
  | 'latency_p99_ratio'
  | 'event_ratio'
  | 'min_samples'
  | 'error_ratio_undecided'
  | 'min_duration'
  | 'manual_approval'
  | 'healthy'
  | 'last_stage';

export type CheckStatus = 'pass' | 'fail' | 'waiting' | 'not_applicable';

/** One check's verdict with what it saw: JSON-safe (no Infinity, no NaN: null instead). */
export type CheckEvidence = {
  rule: DecisionRule;
  status: CheckStatus;
  observed: number | null;
  threshold: number | null;
  /** A 95% interval of `observed`, when one is defined. */
  interval?: [number, number] | null;
  name?: string;
  note?: string;
};

export type VariantEvidence = {
  count: number;
  errors: number;
  errorRate: number | null;
  /** Wilson 95% interval of the error rate. */
  errorRateInterval: [number, number] | null;
  p95: number | null;
  p99: number | null;
};

export type SprtStatus = 'rollback' | 'accepted' | 'undecided' | 'no_errors' | 'no_control';

/** The ratio test's state: the log-likelihood ratio and the bounds it is compared with. */
export type SprtEvidence = {
  status: SprtStatus;
  llr: number;
  /** Roll back at or above: ln(1/α_stage). */
  upper: number;
  /** Healthy at or below: ln(1 − power). */
  lower: number;
  /** This stage's share of the release's α. */
  alphaStage: number;
  detectRatio: number;
  /** The true ratio at which the test drifts neither way: between 1 and detectRatio. */
  indifferenceRatio: number | null;
  /** (treatment errors / requests) / (control errors / requests) over the stage. */
  ratio: number | null;
  /** 95% interval of the ratio (Wilson on treatment's share of errors). */
  ratioInterval: [number, number] | null;
  /** Treatment's share of the stage's requests. */
  exposureShare: number | null;
};

export type StageEvidence = {
  stageIndex: number;
  percentage: number;
  elapsedMs: number;
  minDurationMs: number;
  windows: number;
  minSamples: number;
  treatment: VariantEvidence;
  control: VariantEvidence;
  sprt: SprtEvidence;
  checks: CheckEvidence[];
};

export interface StageDecision {
  action: StageAction;
  rule: DecisionRule;
  evidence: StageEvidence;
}
