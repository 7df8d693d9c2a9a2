import type { ReleaseAction, ReleaseStatus } from '../api/types.ts';

/** What a person may do to a plan in each status (the Worker refuses the rest with 409). */
export const ACTIONS: Record<ReleaseStatus, ReleaseAction[]> = {
  draft: ['start', 'abort'],
  running: ['pause', 'rollback', 'abort'],
  waiting_approval: ['approve', 'reject', 'pause', 'rollback', 'abort'],
  paused: ['resume', 'rollback', 'abort'],
  rolled_back: [],
  completed: [],
  aborted: [],
};

export const ACTION_LABELS: Record<ReleaseAction, string> = {
  start: 'Start',
  approve: 'Approve',
  reject: 'Reject',
  rollback: 'Roll back',
  pause: 'Pause',
  resume: 'Resume',
  abort: 'Abort',
};

/** Evidence as short label/value pairs: nested objects and lists flattened, rates as %, nothing as "—". */
export function evidenceLines(evidence: unknown, prefix = ''): [string, string][] {
  if (!evidence || typeof evidence !== 'object') return [];
  return Object.entries(evidence).flatMap(([k, v]): [string, string][] => {
    const label = prefix + k;
    if (v && typeof v === 'object') return evidenceLines(v, `${label}.`);
    return [[label, typeof v === 'number' ? num(v, /rate/i.test(label)) : v == null ? '—' : String(v)]];
  });
}

/** 3 significant digits; rates (0–1) as percentages. */
export function num(x: number, rate = false): string {
  // Float dust (an interval's 4e-17 lower end) reads as the zero it is.
  if (Math.abs(x) < 1e-9) return rate ? '0%' : '0';
  if (rate) return `${+(x * 100).toPrecision(3)}%`;
  return Number.isInteger(x) ? x.toLocaleString('en') : String(+x.toPrecision(3));
}
