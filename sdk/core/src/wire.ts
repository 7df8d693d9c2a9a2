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
}

export function toWireResult(r: EvaluationResult): WireResult {
  const wire: WireResult = { value: r.value, reason: r.reason };
  if (r.variant !== undefined) wire.variant = r.variant;
  if (r.errorCode !== undefined) wire.errorCode = r.errorCode;
  return wire;
}

/** Results of `evaluateAll` as the Worker sends them, so server and edge payloads are identical. */
export function toWirePayload(environment: string, version: number, results: Record<string, EvaluationResult>): WirePayload {
  const flags: Record<string, WireResult> = {};
  for (const key in results) flags[key] = toWireResult(results[key]!);
  return { environment, version, flags };
}
