import type { ReleaseDetail, Stage } from '../api/types.ts';
import { num } from '../lib/release-state.ts';
import { duration } from '../lib/release-summary.ts';
import { DecisionEvidence } from './release-evidence.tsx';

const SHOWN = 30;

/** "errors ≤ 2× control, p95 ≤ 800 ms" — what a stage checks, in words. */
export function checksText({ checks }: Stage): string {
  const parts: string[] = [];
  const one = (name: string, c: { max?: number; maxMs?: number; maxRatio?: number } | undefined, rate = false) => {
    const max = c?.max ?? c?.maxMs;
    if (max !== undefined) parts.push(`${name} ≤ ${rate ? num(max, true) : `${max} ms`}`);
    if (c?.maxRatio !== undefined) parts.push(`${name} ≤ ${c.maxRatio}× control`);
  };
  one('errors', checks.errorRate, true);
  one('p95', checks.latencyP95);
  one('p99', checks.latencyP99);
  for (const e of checks.events ?? []) parts.push(`${e.name} ≥ ${e.minRatio}× control`);
  return parts.join(', ') || 'no health checks';
}

/** The plan's stages, the one running marked, then every decision (newest first) with its evidence. */
export function ReleaseTimeline({ detail }: { detail: ReleaseDetail }) {
  const { plan, decisions } = detail;
  const ended = !['running', 'waiting_approval', 'paused'].includes(plan.status);
  const newest = [...decisions].sort((a, b) => b.at - a.at || b.id - a.id);
  return (
    <>
      <ol class="stages" aria-label="Stages">
        {plan.stages.map((s, i) => {
          const current = i === plan.currentStage && !ended;
          return (
            <li
              key={i}
              class={current ? 'stage-current' : i < plan.currentStage ? 'stage-done' : ''}
              aria-current={current ? 'step' : undefined}
            >
              <strong>{s.percentage}%</strong>
              <span>
                {s.minDurationSeconds > 0 ? `at least ${duration(s.minDurationSeconds * 1000)}` : 'no minimum time'}
                {s.approval === 'manual' && ' · manual approval'}
                {s.minSamples > 0 && ` · ${num(s.minSamples)} samples per variant`}
              </span>
              <span class="muted small">{checksText(s)}</span>
            </li>
          );
        })}
      </ol>
      <h4>Decisions</h4>
      {decisions.length === 0 && <p class="muted">None yet.</p>}
      <ol class="decisions" aria-label="Decisions">
        {newest.slice(0, SHOWN).map((d) => (
          <li key={d.id} class={`decision decision-${d.action}`}>
            <div>
              <strong>{d.action.replace('_', ' ')}</strong> · stage {d.stage + 1}
              {d.rule && (
                <>
                  {' '}
                  · rule <code>{d.rule}</code>
                </>
              )}
            </div>
            <div class="muted small">
              {d.actor} · <time dateTime={new Date(d.at).toISOString()}>{new Date(d.at).toLocaleString()}</time>
            </div>
            {d.evidence && <DecisionEvidence evidence={d.evidence} />}
          </li>
        ))}
      </ol>
      {decisions.length > SHOWN && (
        <p class="muted small">
          The {SHOWN} most recent of {decisions.length}; the audit log has all.
        </p>
      )}
    </>
  );
}
