/**
 * Release statistics: pure functions the ReleaseConductor calls each window (docs/releases.md,
 * Statistics). No I/O, no Workers APIs: the same code runs in workerd and in the Node simulation.
 *
 * @example
 * import { decideStage } from './stats/index.ts';
 * const { action, rule, evidence } = decideStage(input);
 */
export { decideFromTotals, decideStage, ratioToDetect } from './decide-stage.ts';
export { expectedErrorsToRollback, indifferenceRatio, llrDriftPerError, sprtBounds, stageAlpha, windowLlr } from './sprt.ts';
export { StageTotals, VariantTotals } from './stage-totals.ts';
export type * from './types.ts';
