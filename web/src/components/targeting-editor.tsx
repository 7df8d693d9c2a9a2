import { useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { ConfigRow, FlagDetail, FlagSummary, SegmentRow } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useDraft } from '../hooks/use-draft.ts';
import { configChanges } from '../lib/change-summary.ts';
import { bodyOf, type ConfigDraft, draftOf } from '../lib/config-draft.ts';
import { savedNote } from '../lib/delivery.ts';
import { formError } from '../lib/issues.ts';
import { ChangedElsewhere } from './changed-elsewhere.tsx';
import { FieldError } from './field-error.tsx';
import { ImpactPreview } from './impact-preview.tsx';
import { Link } from './link.tsx';
import { PrerequisitesEditor } from './prerequisites-editor.tsx';
import { ProductionConfirm } from './production-confirm.tsx';
import { RuleEditor } from './rule-editor.tsx';
import { ServeEditor } from './serve-editor.tsx';
import { TargetsEditor } from './targets-editor.tsx';

interface Props {
  flag: FlagDetail;
  env: string;
  config: ConfigRow;
  flags: FlagSummary[];
  segments: SegmentRow[];
  canEdit: boolean;
  onSaved: () => void;
}

/** Prerequisites, targets, rules and the default rule of one environment, saved as one versioned PUT. */
export function TargetingEditor({ flag, env, config, flags, segments, canEdit, onSaved }: Props) {
  const { api, notify, environments } = useSession();
  const environment = environments.find((e) => e.key === env);
  const production = environment?.production ?? false;
  // A reviewed environment takes flag changes as change requests (a direct save answers 422 review_required).
  // The list of environments may predate an admin turning review on: the server's 422 says so too.
  const [mustReview, setMustReview] = useState(false);
  const reviewed = (environment?.requiredApprovals ?? 0) > 0 || mustReview;
  const [proposed, setProposed] = useState<string>();
  // The version the draft started from guards the save (409 if someone else saved meanwhile).
  const edit = useDraft(config, draftOf);
  const { draft, pristine, changedElsewhere } = edit;
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const variants = Object.keys(flag.variants);
  const reset = () => {
    edit.reset();
    setIssues([]);
    setError(undefined);
  };

  const set = <K extends keyof ConfigDraft>(k: K, v: ConfigDraft[K]) => edit.setDraft({ ...draft, [k]: v });
  const save = async (why = reason) => {
    setSaving(true);
    setIssues([]);
    setError(undefined);
    try {
      if (reviewed) {
        // The version the draft started from: the request is reviewed against what its author saw.
        const change = await api.proposeChange(env, {
          flag: flag.key,
          config: bodyOf(draft),
          version: edit.version,
          reason: why || undefined,
        });
        setProposed(change.id);
        edit.reset();
        setReason('');
        setConfirming(false);
        notify(`Proposed the change in ${env}: it applies once approved.`);
        return;
      }
      const res = await api.putConfig(flag.key, env, bodyOf(draft, edit.version, why || undefined));
      edit.saved(res.config.version, draft);
      setReason('');
      setConfirming(false);
      const note = savedNote(`Saved targeting in ${env} (version ${res.config.version}).`, res);
      notify(note.text, note.tone);
      onSaved();
    } catch (e) {
      const err = e as Error;
      if (err instanceof ApiError && err.code === 'review_required') {
        setMustReview(true);
        setConfirming(false);
      }
      // Field problems are shown at the fields, so the dialog steps aside; anything else stays beside the retry.
      if (err instanceof ApiError && err.issues.length > 0) {
        setIssues(err.issues);
        setConfirming(false);
      }
      setError(formError(err));
    } finally {
      setSaving(false);
    }
  };
  const disabled = !canEdit || saving;
  const moveRule = (i: number, by: -1 | 1) => {
    const rules = [...draft.rules];
    const [r] = rules.splice(i, 1);
    rules.splice(i + by, 0, r!);
    set('rules', rules);
  };

  return (
    <>
      <form
        class="targeting"
        aria-label={`Targeting in ${env}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (pristine || saving) return;
          if (production && !reviewed) setConfirming(true);
          else void save();
        }}
      >
        {changedElsewhere && <ChangedElsewhere what={`this flag in ${env}`} version={config.version} onReset={reset} />}
        <section class="panel-section">
          <h3>Prerequisites</h3>
          <PrerequisitesEditor
            flagKey={flag.key}
            prerequisites={draft.prerequisites}
            flags={flags}
            issues={issues}
            disabled={disabled}
            onChange={(p) => set('prerequisites', p)}
          />
        </section>
        <section class="panel-section">
          <h3>Individual targets</h3>
          <TargetsEditor
            targets={draft.targets}
            variants={variants}
            issues={issues}
            disabled={disabled}
            onChange={(t) => set('targets', t)}
          />
        </section>
        <section class="panel-section">
          <h3>Rules</h3>
          <p class="muted small">Evaluated top to bottom; the first rule whose conditions all hold decides.</p>
          <div class="stack">
            {draft.rules.map((r, i) => (
              <RuleEditor
                key={i}
                index={i}
                count={draft.rules.length}
                rule={r}
                variants={variants}
                segments={segments}
                issues={issues}
                disabled={disabled}
                onChange={(next) =>
                  set(
                    'rules',
                    draft.rules.map((x, j) => (j === i ? next : x)),
                  )
                }
                onRemove={() =>
                  set(
                    'rules',
                    draft.rules.filter((_, j) => j !== i),
                  )
                }
                onMove={(by) => moveRule(i, by)}
              />
            ))}
          </div>
          <button
            type="button"
            class="btn btn-sm"
            disabled={disabled}
            onClick={() =>
              set('rules', [
                ...draft.rules,
                {
                  conditions: [{ attribute: '', op: 'equals', values: [] }],
                  serve: { variant: variants.find((v) => v !== draft.offVariant) ?? variants[0]! },
                },
              ])
            }
          >
            + Rule
          </button>
        </section>
        <section class="panel-section">
          <h3>Default rule</h3>
          <ServeEditor
            id="default-serve"
            label="Everyone else gets"
            serve={draft.defaultServe}
            variants={variants}
            issues={issues}
            path="defaultServe"
            disabled={disabled}
            onChange={(s) => set('defaultServe', s)}
          />
          <div class="field field-narrow">
            <label for="bucket-by">Bucket percentages by</label>
            <input
              id="bucket-by"
              value={draft.bucketBy ?? ''}
              placeholder="targetingKey"
              disabled={disabled}
              onInput={(e) => set('bucketBy', e.currentTarget.value || null)}
            />
            <FieldError issues={issues} path="bucketBy" />
          </div>
        </section>
        {canEdit && !pristine && !changedElsewhere && <ImpactPreview flagKey={flag.key} env={env} config={bodyOf(draft)} />}
        {proposed && (
          <p class="muted" role="status">
            Change request proposed:{' '}
            <Link href={`/changes?env=${encodeURIComponent(env)}&id=${encodeURIComponent(proposed)}`}>review it</Link>. The targeting here
            changes once it is approved and applied.
          </p>
        )}
        {error && !confirming && (
          <p class="error-note" role="alert">
            {error}
          </p>
        )}
        {canEdit && (
          <div class="savebar">
            {production && !reviewed ? (
              <p class="field-grow muted small">Production: you confirm what changes, and why, before it is saved.</p>
            ) : (
              <div class="field field-grow">
                <label for="targeting-reason">Reason (audit log)</label>
                <input
                  id="targeting-reason"
                  value={reason}
                  onInput={(e) => setReason(e.currentTarget.value)}
                  placeholder="Why this change?"
                />
              </div>
            )}
            <button type="button" class="btn" disabled={pristine || saving} onClick={reset}>
              Discard
            </button>
            <button type="submit" class="btn btn-primary" disabled={pristine || saving}>
              {saving ? 'Saving…' : reviewed ? 'Propose change' : 'Save targeting'}
            </button>
          </div>
        )}
      </form>
      {confirming && (
        <ProductionConfirm
          title={`Save targeting of ${flag.key} in ${env}?`}
          confirmLabel="Save in production"
          busy={saving}
          error={error}
          lead={
            <>
              Users in <strong>{env}</strong> are evaluated with these rules as soon as it is saved
              {draft.enabled ? '' : ' (the flag is off there, so they apply once it is turned on)'}.
            </>
          }
          changes={configChanges(draftOf(config), draft)}
          impact={<ImpactPreview flagKey={flag.key} env={env} config={bodyOf(draft)} />}
          onConfirm={(why) => void save(why)}
          onCancel={() => {
            setConfirming(false);
            setError(undefined);
          }}
        />
      )}
    </>
  );
}
