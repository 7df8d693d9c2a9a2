import { canWrite, canWriteEverywhere } from '../api/can-write.ts';
import { useSession } from '../app-context.ts';
import { ArchiveFlag } from '../components/archive-flag.tsx';
import { ContextEvaluator } from '../components/context-evaluator.tsx';
import { EnvSwitches } from '../components/env-switches.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { ExposureSummary } from '../components/exposure-summary.tsx';
import { FlagBadges } from '../components/flag-badges.tsx';
import { Link } from '../components/link.tsx';
import { MetadataForm } from '../components/metadata-form.tsx';
import { RestoreFlag } from '../components/restore-flag.tsx';
import { RolloutControl } from '../components/rollout-control.tsx';
import { TargetingEditor } from '../components/targeting-editor.tsx';
import { VariantList } from '../components/variant-list.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { navigate, useRoute } from '../hooks/use-route.ts';

export function FlagPage({ flagKey }: { flagKey: string }) {
  const { api, me, environments } = useSession();
  const { query } = useRoute();
  const env = environments.find((e) => e.key === query.get('env')) ?? environments[0];
  const flag = useAsync(() => api.getFlag(flagKey), [flagKey]);
  const flags = useAsync(() => api.listFlags().then((r) => r.flags), []);
  const segments = useAsync(() => (env ? api.listSegments(env.key).then((r) => r.segments) : Promise.resolve([])), [env?.key]);
  usePoll(() => flag.reload(true));
  // Guarded releases load after the page (their own chunk): the switches and the kill switch never wait for them.
  const release = useAsync(() => import('../components/release-panel.tsx'), []);
  // Its own chunk, like the release panel: the first load stays within the size budget.
  const codeRefs = useAsync(() => import('../components/code-refs.tsx'), []);
  // Promotion from another environment: its own chunk too.
  const promotion = useAsync(() => import('../components/promote-panel.tsx'), []);

  if (flag.error && !flag.data)
    return (
      <section class="page">
        <ErrorNote error={flag.error} />
      </section>
    );
  const f = flag.data;
  if (!f || !env)
    return (
      <section class="page">
        <p class="muted">Loading…</p>
      </section>
    );
  const archived = f.archivedAt !== null;
  const config = archived ? undefined : f.environments[env.key];
  const writable = canWrite(me, env);
  // Variants, client visibility and archiving change every environment, production included.
  const everywhere = canWriteEverywhere(me, environments);
  const reload = () => void flag.reload(true);
  const select = (key: string) => navigate(`/flags/${encodeURIComponent(flagKey)}?env=${encodeURIComponent(key)}`, true);

  return (
    <section class="page flag-page">
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/flags">Flags</Link> / <span>{f.key}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1>
            {f.name || f.key} <FlagBadges lifecycle={f.environments[env.key]?.lifecycle} />
          </h1>
          <p class="muted">
            <code>{f.key}</code> · {f.kind} · {f.type} · owner {f.owner || '—'}
            {f.expiresAt && <> · expires {f.expiresAt}</>}
          </p>
          {f.description && <p>{f.description}</p>}
        </div>
        <div class="btn-group">
          <Link href={`/audit?flag=${encodeURIComponent(f.key)}`} class="btn btn-ghost">
            History
          </Link>
          {everywhere && !archived && <ArchiveFlag flag={f} />}
        </div>
      </div>
      <ErrorNote error={flag.error} />
      {archived ? (
        <RestoreFlag flag={f} canRestore={everywhere} onRestored={reload} />
      ) : (
        <EnvSwitches flag={f} selected={env.key} onSelect={select} onChanged={() => flag.reload(true)} />
      )}
      {config && (
        <section class="panel" aria-label={`${env.name} configuration`}>
          <h2>
            {env.name}
            {env.production && <span class="badge badge-prod">production</span>}
            {!writable && <span class="badge">read-only</span>}
          </h2>
          <section class="panel-section">
            <h3>Rollout</h3>
            <RolloutControl key={env.key} flag={f} env={env.key} config={config} canEdit={writable} onSaved={reload} />
          </section>
          {release.data && (
            <release.data.ReleasePanel key={env.key} flag={f} env={env} config={config} canAct={writable} onChanged={reload} />
          )}
          <TargetingEditor
            key={env.key}
            flag={f}
            env={env.key}
            config={config}
            flags={flags.data ?? []}
            segments={segments.data ?? []}
            canEdit={writable}
            onSaved={reload}
          />
          {promotion.data && <promotion.data.PromotePanel key={env.key} flagKey={f.key} env={env} canAct={writable} onChanged={reload} />}
          <section class="panel-section">
            <h3>Who gets what</h3>
            <ContextEvaluator env={env.key} flagKey={f.key} />
          </section>
        </section>
      )}
      <section class="panel" aria-labelledby="exposures-title">
        <h2 id="exposures-title">Exposures, last 24 h</h2>
        <ExposureSummary flagKey={f.key} variants={Object.keys(f.variants)} environments={environments} />
      </section>
      <section class="panel" aria-labelledby="code-refs-title">
        <h2 id="code-refs-title">Code references</h2>
        {codeRefs.data ? <codeRefs.data.CodeRefs flagKey={f.key} /> : <p class="muted small">Loading references…</p>}
      </section>
      <div class="panel">
        <h2>Details</h2>
        <h3>Variants</h3>
        <VariantList flag={f} canEdit={everywhere && !archived} onSaved={reload} />
        <MetadataForm flag={f} canEdit={me.role !== 'viewer' && !archived} onSaved={reload} />
      </div>
    </section>
  );
}
