import type { EvaluationResult } from '../types.ts';

/**
 * Whether an evaluation counts in a release's comparison. A release compares the users its rollout
 * put on the new variant with those it has not reached yet (the concurrent control); both are
 * served by the flag's default rule. Users matched by a rule or a target, stopped by a
 * prerequisite, or served while the flag is off are a fixed cohort outside that comparison:
 * counting them (say, internal users always on the new variant) would bias the ratio test.
 *
 * @example
 * if (countsForRelease(result)) recorder.note(key, result.variant);
 */
export function countsForRelease(r: EvaluationResult): boolean {
  return (
    r.variant !== undefined &&
    (r.reason === 'SPLIT' || r.reason === 'DEFAULT') &&
    r.ruleIndex === undefined &&
    r.targetIndex === undefined &&
    r.prerequisite === undefined
  );
}
