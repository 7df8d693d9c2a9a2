import type { ErrorCode, EvaluationResult, JsonValue } from './types.ts';

export function errorResult<T = JsonValue | null>(
  key: string,
  errorCode: ErrorCode,
  errorMessage: string,
  value: T = null as T,
): EvaluationResult<T> {
  return { key, value, reason: 'ERROR', errorCode, errorMessage };
}

/** Results are shared between calls, so they and their JSON values are frozen once. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) for (const v of value) deepFreeze(v);
    else for (const k in value) deepFreeze(value[k]);
  }
  return value;
}
