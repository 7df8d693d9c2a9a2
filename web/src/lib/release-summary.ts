import type { LiveRelease, ReleasePlan, ReleaseStatus } from '../api/types.ts';

/** Whether the conductor is still in charge of the flag (the app then offers no new plan). */
export const isLive = (status: ReleaseStatus) => status === 'running' || status === 'waiting_approval' || status === 'paused';

/** "40 s", "12 min", "3 h", "2 d", rounded up so "next in 0 min" never shows while time remains. */
export function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  if (s < 172_800) return `${Math.ceil(s / 3600)} h`;
  return `${Math.ceil(s / 86_400)} d`;
}

/** GET /releases adds the last decision and when the stage may advance; a plain plan works out the latter. */
type Summarised = ReleasePlan & Partial<Pick<LiveRelease, 'lastDecision' | 'nextAt'>>;

/**
 * A hold for the stage's minimum time is what a healthy stage does; one for samples or an
 * undecided ratio test is still gathering data; any other hold is a check failing (or waiting).
 */
function healthWord(last: Summarised['lastDecision']): string {
  if (last?.action !== 'hold' || !last.rule || last.rule === 'min_duration') return 'healthy';
  if (last.rule === 'min_samples' || last.rule === 'error_ratio_undecided') return 'gathering data';
  return `holding (${last.rule})`;
}

/** One line for the flags list: "stage 2 of 4 · healthy · next in 3 h", "waiting for approval", "rolled back". */
export function releaseSummary(plan: Summarised, now = Date.now()): string {
  const { status, stages, currentStage } = plan;
  if (!isLive(status)) return status.replace('_', ' ');
  const stage = `stage ${currentStage + 1} of ${stages.length}`;
  if (status !== 'running') return `${stage} · ${status === 'paused' ? 'paused' : 'waiting for approval'}`;
  const health = healthWord(plan.lastDecision);
  const left = (plan.nextAt ?? (plan.stageStartedAt ?? now) + (stages[currentStage]?.minDurationSeconds ?? 0) * 1000) - now;
  return `${stage} · ${health} · ${left > 0 ? `next in ${duration(left)}` : 'next when checks pass'}`;
}
