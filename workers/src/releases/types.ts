import type { SketchData } from '@edgeflags/core';

/**
 * One variant's outcomes over one window (or merged over several), as MetricWindows keeps them
 * and the statistics read them. Plain data, so it crosses Durable Object storage and RPC as is.
 */
export interface VariantAggregate {
  /** Requests (or pages) in which the flag served this variant. */
  count: number;
  /** Of those, how many failed. */
  errors: number;
  /** Latencies of those requests, or null when none were timed. */
  latency: SketchData | null;
  /** Named business events: how many, and the sum of their values. */
  events: Record<string, { count: number; sum: number }>;
}
