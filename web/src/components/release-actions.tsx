import { useState } from 'preact/hooks';
import type { Environment, ReleaseAction, ReleasePlan } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import type { Change } from '../lib/change-summary.ts';
import { ACTION_LABELS, ACTIONS } from '../lib/release-state.ts';
import { ProductionConfirm } from './production-confirm.tsx';

/** What each action does to users, said in the confirmation. */
function consequence(action: ReleaseAction, plan: ReleasePlan): { lead: string; changes: Change[] } {
  const { stages, currentStage: i, treatmentVariant: t, baselineVariant: b } = plan;
  const now = `${stages[i]?.percentage ?? 0}% ${t}`;
  const next = stages[i + 1];
  switch (action) {
    case 'approve':
      return next
        ? {
            lead: `The plan leaves stage ${i + 1} and raises the rollout; it keeps checking health.`,
            changes: [{ label: 'Rollout', before: now, after: `${next.percentage}% ${t}` }],
          }
        : { lead: 'The last gate: the plan completes.', changes: [] };
    case 'rollback':
    case 'reject':
      return {
        lead: `${action === 'reject' ? 'The gate is refused and the release is rolled back: e' : 'E'}veryone in the rollout gets ${b}, as control does, and the plan ends.${action === 'rollback' ? ' Nothing can block it.' : ''}`,
        changes: [{ label: 'Rollout', before: now, after: `everyone ${b}` }],
      };
    case 'start':
      return {
        lead: 'The conductor raises the rollout to the first stage, then advances it only while treatment stays healthy.',
        changes: [],
      };
    case 'pause':
      return { lead: 'The conductor stops deciding; the flag keeps serving the current stage.', changes: [] };
    case 'resume':
      return { lead: `Stage ${i + 1} is applied again (after a kill switch too) and its clock restarts.`, changes: [] };
    default:
      return { lead: 'The plan ends for good; the flag keeps serving what it serves now.', changes: [] };
  }
}

/** The buttons a person may press on a plan now; in production each asks for a reason first. */
export function ReleaseActions({
  flagKey,
  env,
  plan,
  onDone,
}: {
  flagKey: string;
  env: Environment;
  plan: ReleasePlan;
  onDone: () => void;
}) {
  const { api, notify } = useSession();
  const [asking, setAsking] = useState<ReleaseAction>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: ReleaseAction, reason?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      // Rolling back is the protective move: no version, so a stale page cannot stop it.
      await api.releaseAction(flagKey, env.key, plan.id, action, {
        ...(reason && { reason }),
        ...(action !== 'rollback' && { version: plan.version }),
      });
      setAsking(undefined);
      notify(`${ACTION_LABELS[action]}: done for ${flagKey} in ${env.name}.`);
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const actions = ACTIONS[plan.status];
  if (actions.length === 0) return null;
  const said = asking && consequence(asking, plan);
  return (
    <div class="btn-group release-actions">
      {actions.map((a) => (
        <button
          type="button"
          key={a}
          class={`btn btn-sm ${a === 'approve' || a === 'start' ? 'btn-primary' : a === 'rollback' ? 'btn-danger' : ''}`}
          disabled={busy}
          onClick={() => (env.production ? setAsking(a) : void run(a))}
        >
          {ACTION_LABELS[a]}
        </button>
      ))}
      {error && !asking && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {asking && said && (
        <ProductionConfirm
          title={`${ACTION_LABELS[asking]}: the release of ${flagKey} in ${env.name}?`}
          confirmLabel={ACTION_LABELS[asking]}
          emergency={asking === 'rollback'}
          danger={asking === 'abort' || asking === 'reject'}
          busy={busy}
          error={error}
          lead={said.lead}
          changes={said.changes}
          onConfirm={(reason) => void run(asking, reason)}
          onCancel={() => {
            setAsking(undefined);
            setError(undefined);
          }}
        />
      )}
    </div>
  );
}
