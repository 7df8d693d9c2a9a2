import { useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { ConfigRow, Environment, FlagDetail, ReleaseCreateBody, ReleaseTemplate, Stage, TemplateName } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { serveLabel } from '../lib/flag-status.ts';
import { fieldValue, newStage, STAGE_FIELDS, withField } from '../lib/stage-fields.ts';
import { FieldError } from './field-error.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

const NAMES: TemplateName[] = ['seed-001', 'seed-003', 'default'];

interface Props {
  flag: FlagDetail;
  env: Environment;
  config: ConfigRow;
  /** Undefined when the Worker does not list its templates: the plan is then named, not shown. */
  templates: Record<string, ReleaseTemplate> | undefined;
  onStarted: () => void;
}

/** Starts a guarded release from a template, as is or with its stages edited. */
export function ReleaseForm({ flag, env, config, templates, onStarted }: Props) {
  const { api, notify } = useSession();
  const variants = Object.keys(flag.variants);
  const [template, setTemplate] = useState<TemplateName>('default');
  const [stages, setStages] = useState<Stage[]>();
  const [treatment, setTreatment] = useState(variants.find((v) => v !== config.offVariant) ?? '');
  const [baseline, setBaseline] = useState(config.offVariant);
  /** How often the conductor decides (settings.windowSeconds); '' keeps the template's. */
  const [windowSeconds, setWindowSeconds] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const shown = stages ?? templates?.[template]?.stages;
  const edit = (i: number, s: Stage) => setStages((shown ?? []).map((old, j) => (j === i ? s : old)));

  const start = async (reason?: string) => {
    setBusy(true);
    setError(undefined);
    setIssues([]);
    const settings = { ...templates?.[template]?.settings, ...(windowSeconds && { windowSeconds: Number(windowSeconds) }) };
    const body: ReleaseCreateBody = {
      ...(stages ? { stages } : { template }),
      ...((stages || windowSeconds) && { settings }),
      treatmentVariant: treatment,
      baselineVariant: baseline,
      start: true,
      ...(reason && { reason }),
    };
    try {
      await api.createRelease(flag.key, env.key, body);
      setConfirming(false);
      notify(`Release of ${flag.key} started in ${env.name}.`);
      onStarted();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      if (e instanceof ApiError) setIssues(e.issues);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  const pick = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {variants.map((v) => (
          <option key={v}>{v}</option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      <form
        class="release-form"
        aria-label={`New release in ${env.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (env.production) setConfirming(true);
          else void start();
        }}
      >
        <div class="row">
          <div class="field">
            <label for="release-template">Template</label>
            <select
              id="release-template"
              value={template}
              onChange={(e) => {
                setTemplate(e.currentTarget.value as TemplateName);
                setStages(undefined);
              }}
            >
              {NAMES.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </div>
          {pick('release-treatment', 'New variant', treatment, setTreatment)}
          {pick('release-baseline', 'Control gets', baseline, setBaseline)}
          <div class="field">
            <label for="release-window">Decide every (s)</label>
            <input
              id="release-window"
              type="number"
              min="1"
              placeholder={String(templates?.[template]?.settings.windowSeconds ?? 60)}
              value={windowSeconds}
              onInput={(e) => setWindowSeconds(e.currentTarget.value)}
            />
          </div>
        </div>
        {templates?.[template] && <p class="muted small">{templates[template].description}</p>}
        {shown?.map((s, i) => (
          <fieldset key={i} class="stage-edit">
            <legend>
              Stage {i + 1}
              <button type="button" class="btn btn-sm btn-ghost btn-danger-text" onClick={() => setStages(shown.filter((_, j) => j !== i))}>
                Remove<span class="visually-hidden"> stage {i + 1}</span>
              </button>
            </legend>
            {STAGE_FIELDS.map((f) => {
              const id = `s${i}-${f.path.join('-')}`;
              return (
                <div class="field" key={id}>
                  <label for={id}>
                    <span class="visually-hidden">Stage {i + 1} </span>
                    {f.label}
                  </label>
                  <input
                    id={id}
                    type="number"
                    min="0"
                    step="any"
                    value={fieldValue(s, f)}
                    onInput={(e) => edit(i, withField(s, f, e.currentTarget.value))}
                  />
                </div>
              );
            })}
            <div class="field">
              <label for={`s${i}-approval`}>
                <span class="visually-hidden">Stage {i + 1} </span>Approval
              </label>
              <select
                id={`s${i}-approval`}
                value={s.approval}
                onChange={(e) => edit(i, { ...s, approval: e.currentTarget.value as Stage['approval'] })}
              >
                <option value="auto">automatic</option>
                <option value="manual">manual</option>
              </select>
            </div>
            <FieldError issues={issues} path={`stages.${i}`} />
          </fieldset>
        ))}
        <div class="btn-group">
          <button type="button" class="btn btn-sm" onClick={() => setStages([...(shown ?? []), newStage()])}>
            Add stage
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start release'}
          </button>
        </div>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {confirming && (
        <ProductionConfirm
          title={`Start a guarded release of ${flag.key} in ${env.name}?`}
          confirmLabel="Start release"
          busy={busy}
          lead={`The conductor serves ${treatment} to a growing share of ${env.name}, advancing only while it stays as healthy as ${baseline}, and rolls back by itself when it is not.`}
          changes={[
            {
              label: 'Rollout',
              before: serveLabel(config.defaultServe, config.offVariant),
              after: shown?.[0] ? `${shown[0].percentage}% ${treatment}` : `the first stage of ${template}`,
            },
          ]}
          onConfirm={(reason) => void start(reason)}
          onCancel={() => setConfirming(false)}
        />
      )}
    </>
  );
}
