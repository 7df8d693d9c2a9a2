import type { SketchData } from './sketch.ts';

/**
 * What SDKs send to `POST /sdk/v1/metrics`: outcomes pre-aggregated per flag × variant over one
 * window, so a million requests become a handful of messages. Experiments reuse the same shape
 * (exposures + named events per variant).
 *
 * @example
 * const payload: MetricsPayload = {
 *   windowMs: 10_000,
 *   summaries: [{ flag: 'new-pdf-engine', variant: 'on', count: 812, errors: 3,
 *     latency: sketch.toJSON(), events: { 'invoice-created': { count: 40, sum: 5120 } } }],
 * };
 */
export interface OutcomeSummary {
  flag: string;
  variant: string;
  /** Requests (or pages) in which the flag served `variant`. */
  count: number;
  /** Of those, how many failed. */
  errors: number;
  latency?: SketchData;
  /** Named business events: how many, and the sum of their values. */
  events?: Record<string, { count: number; sum: number }>;
}

export interface MetricsPayload {
  /** How long the SDK aggregated before sending, ms. */
  windowMs: number;
  summaries: OutcomeSummary[];
}

/** What the edge accepts in one payload; SDKs split or drop beyond these (the edge refuses the body). */
export const METRICS_LIMITS = {
  summaries: 200,
  /** Per summary: count, and errors ≤ count. */
  count: 1_000_000,
  eventNames: 20,
  eventNameLength: 64,
  /** Largest body, bytes. */
  bodyBytes: 256 * 1024,
} as const;
