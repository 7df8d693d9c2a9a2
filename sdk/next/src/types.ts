import type { Reason, WirePayload } from '@edgeflags/core';

export type { WireResult } from '@edgeflags/core';

/**
 * The `POST /sdk/v1/evaluate` response, exactly: what `<FlagProvider bootstrap>` and the
 * browser client's `bootstrap` take, so the first client render needs no request.
 */
export type EvaluatePayload = WirePayload;

/** A context as JSON carries it (no `undefined`): the shape `<FlagProvider context>` takes. */
export type WireContext = Record<string, string | number | boolean | null | ReadonlyArray<string | number | boolean>>;

/** One exposure as `POST /sdk/v1/events` takes it (`at` in epoch milliseconds). */
export interface Exposure {
  flag: string;
  variant?: string;
  reason?: Reason;
  contextKey: string;
  at: number;
  context?: Record<string, unknown>;
}
