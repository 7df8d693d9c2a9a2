import type { ErrorCode, EvaluationResult, JsonValue, Reason } from './types.ts';

/**
 * One flag as `POST /sdk/v1/evaluate` answers it: the value and why, never the rule, target or
 * message behind it. Every SDK and the Worker share this shape.
 */
export interface WireResult<V = JsonValue> {
  value: V;
  variant?: string;
  reason: Reason;
  errorCode?: ErrorCode;
}

/** The bulk evaluation answer; browsers also start from it as their server-rendered bootstrap. */
export interface WirePayload {
  environment: string;
  version: number;
  flags: Record<string, WireResult>;
  /**
   * Flags whose exposure for this payload's context a server already reported (a Next.js
   * middleware's A/B rewrite): a client bootstrapped with it does not report them again.
   */
  exposed?: string[];
  /**
   * Flags in `flags` under a live release plan: a page records outcomes (errors, named events)
   * for these, for the variant it was served (@edgeflags/browser/outcomes). Absent when none.
   */
  tracked?: string[];
}

export function toWireResult(r: EvaluationResult): WireResult {
  const wire: WireResult = { value: r.value, reason: r.reason };
  if (r.variant !== undefined) wire.variant = r.variant;
  if (r.errorCode !== undefined) wire.errorCode = r.errorCode;
  return wire;
}

/**
 * Results of `evaluateAll` as the Worker sends them, so server and edge payloads are identical;
 * `tracked` (the snapshot's) is narrowed to the flags the payload holds.
 */
export function toWirePayload(
  environment: string,
  version: number,
  results: Record<string, EvaluationResult>,
  tracked: readonly string[] = [],
): WirePayload {
  const flags: Record<string, WireResult> = {};
  for (const key in results) flags[key] = toWireResult(results[key]!);
  const payload: WirePayload = { environment, version, flags };
  const held = tracked.filter((key) => Object.hasOwn(flags, key));
  if (held.length > 0) payload.tracked = held;
  return payload;
}
