import { useState } from 'preact/hooks';
import type { ConfigRow, Environment, FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { isLive, releaseSummary } from '../lib/release-summary.ts';
import { ErrorNote } from './error-note.tsx';
import { ReleaseActions } from './release-actions.tsx';
import { ReleaseForm } from './release-form.tsx';
import { ReleaseHealth } from './release-health.tsx';
import { ReleaseTimeline } from './release-timeline.tsx';

interface Props {
  flag: FlagDetail;
  env: Environment;
  config: ConfigRow;
  /** Whether this token may change the flag in `env` (viewers and, in production, editors without access may not). */
  canAct: boolean;
  onChanged: () => void;
}

/** A flag's guarded release in one environment: start one, or follow and steer the one running. */
export function ReleasePanel({ flag, env, config, canAct, onChanged }: Props) {
  const { api } = useSession();
  const [starting, setStarting] = useState(false);
  const plans = useAsync(() => api.releases(flag.key, env.key).then((r) => r.releases), [flag.key, env.key]);
  const latest = plans.data?.[0];
  const detail = useAsync(
    () => (latest ? api.release(flag.key, env.key, latest.id) : Promise.resolve(undefined)),
    [latest?.id, latest?.version, latest?.currentStage],
  );
  // Templates are only needed to start a plan; without them the form names a template and sends it.
  const templates = useAsync(
    () =>
      canAct
        ? api.releaseTemplates().then(
            (r) => r.templates,
            () => undefined,
          )
        : Promise.resolve(undefined),
    [canAct],
  );
  usePoll(() => {
    void plans.reload(true);
    void detail.reload(true);
  });
  const refresh = () => {
    setStarting(false);
    void plans.reload(true);
    onChanged();
  };
  const d = detail.data?.plan.id === latest?.id ? detail.data : undefined;
  const live = latest && isLive(latest.status);

  return (
    <section class="panel-section release" aria-labelledby={`release-${env.key}`}>
      <h3 id={`release-${env.key}`}>Guarded release</h3>
      <ErrorNote error={plans.error ?? detail.error} />
      {latest && (
        <p class={`release-state release-${latest.status}`}>
          <strong>{live ? 'In progress' : 'Last release'}:</strong> {releaseSummary(latest)} · {latest.treatmentVariant} against{' '}
          {latest.baselineVariant}
          {latest.endReason && ` · ${latest.endReason}`}
        </p>
      )}
      {latest && canAct && <ReleaseActions flagKey={flag.key} env={env} plan={latest} onDone={refresh} />}
      {!live && canAct && !starting && (
        <button type="button" class="btn btn-sm" onClick={() => setStarting(true)}>
          New release
        </button>
      )}
      {!live && canAct && starting && <ReleaseForm flag={flag} env={env} config={config} templates={templates.data} onStarted={refresh} />}
      {!latest && !canAct && plans.data && <p class="muted">No release plan here.</p>}
      {d && (
        <>
          <h4>Health per window</h4>
          <ReleaseHealth health={d.health} />
          <h4>Stages</h4>
          <ReleaseTimeline detail={d} />
        </>
      )}
    </section>
  );
}
