import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { ConfigRow, FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { bodyOf, draftOf, rolloutServe } from '../lib/config-draft.ts';
import { savedNote } from '../lib/delivery.ts';
import { rolloutPercent, serveLabel } from '../lib/flag-status.ts';
import { rolloutNow } from '../lib/rollout-now.ts';
import { ImpactPreview } from './impact-preview.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

export const PRESETS = [1, 5, 25, 50, 100];

/** The default rule as a percentage rollout of one variant; raising it never removes anyone already in. */
export function RolloutControl({
  flag,
  env,
  config,
  canEdit,
  onSaved,
}: {
  flag: FlagDetail;
  env: string;
  config: ConfigRow;
  canEdit: boolean;
  onSaved: () => void;
}) {
  const { api, notify, environments } = useSession();
  const environment = environments.find((e) => e.key === env);
  const current = rolloutPercent(config.defaultServe, config.offVariant);
  const candidates = Object.keys(flag.variants).filter((v) => v !== config.offVariant);
  const served = config.defaultServe.split?.find((w) => w.variant !== config.offVariant)?.variant ?? config.defaultServe.variant;
  // Serving only the off variant is a 0% rollout of the first other variant.
  const currentVariant = served !== undefined && served !== config.offVariant ? served : candidates[0];
  const [variant, setVariant] = useState(currentVariant ?? '');
  const [value, setValue] = useState(current === undefined ? '' : String(current));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // The version this control last wrote: a second preset clicked before the reload lands is not a conflict.
  const [written, setWritten] = useState(0);
  const version = Math.max(config.version, written);
  // A change made elsewhere shows up here too (live polling reloads `config`).
  useEffect(() => setValue(current === undefined ? '' : String(current)), [config.version]);

  const pct = Number(value);
  const valid = value !== '' && Number.isFinite(pct) && pct >= 0 && pct <= 100;
  const changed = valid && (pct !== current || variant !== currentVariant);
  const proposed = rolloutServe(config.defaultServe, config.offVariant, variant, pct);
  const apply = async (reason?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.rollout(flag.key, env, { percentage: pct, variant, version, ...(reason && { reason }) });
      setWritten(res.config.version);
      setConfirming(false);
      const note = savedNote(`${flag.key} rolled out to ${pct}% in ${env}.`, res);
      notify(note.text, note.tone);
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  if (candidates.length === 0) return <p class="muted">This flag has only its off variant.</p>;
  return (
    <>
      <form
        class="rollout"
        aria-label={`Rollout in ${env}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (!changed || busy) return;
          if (environment?.production) setConfirming(true);
          else void apply();
        }}
      >
        <p class="muted small">{rolloutNow(config, currentVariant)}</p>
        <div class="row rollout-row">
          <fieldset class="presets" disabled={!canEdit || busy}>
            <legend class="visually-hidden">Presets</legend>
            {PRESETS.map((p) => (
              <button
                type="button"
                key={p}
                class={`btn btn-sm ${String(p) === value ? 'btn-selected' : ''}`}
                aria-pressed={String(p) === value}
                onClick={() => setValue(String(p))}
              >
                {p}%
              </button>
            ))}
          </fieldset>
          <div class="field field-pct">
            <label for="rollout-pct">Exact %</label>
            <input
              id="rollout-pct"
              type="number"
              inputMode="decimal"
              min="0"
              max="100"
              step="0.001"
              value={value}
              disabled={!canEdit || busy}
              onInput={(e) => setValue(e.currentTarget.value)}
              aria-invalid={!valid}
            />
          </div>
          {candidates.length > 1 && (
            <div class="field">
              <label for="rollout-variant">Variant</label>
              <select id="rollout-variant" value={variant} disabled={!canEdit || busy} onChange={(e) => setVariant(e.currentTarget.value)}>
                {candidates.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </div>
          )}
          {canEdit && (
            <button type="submit" class="btn btn-primary" disabled={!changed || busy}>
              {busy ? 'Applying…' : 'Apply rollout'}
            </button>
          )}
        </div>
        {error && !confirming && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        {canEdit && changed && (
          <ImpactPreview flagKey={flag.key} env={env} config={bodyOf({ ...draftOf(config), defaultServe: proposed })} />
        )}
      </form>
      {confirming && environment && (
        <ProductionConfirm
          title={`Roll out ${flag.key} to ${pct}% in ${environment.name}?`}
          confirmLabel={`Roll out to ${pct}%`}
          busy={busy}
          error={error}
          lead={
            <>
              Users in <strong>{environment.name}</strong> get the new split{' '}
              {config.enabled ? 'at once' : 'once the flag is turned on (it is off there now, so everyone still gets the off variant)'}.{' '}
              {variant !== currentVariant
                ? `Users in the rollout move from ${currentVariant} to ${variant}.`
                : pct >= (current ?? 0)
                  ? 'Raising it only adds users: nobody already in is taken out.'
                  : 'Lowering it takes users out of the rollout.'}
            </>
          }
          changes={[
            {
              label: 'Default rule',
              before: serveLabel(config.defaultServe, config.offVariant),
              after: serveLabel(proposed, config.offVariant),
            },
          ]}
          impact={<ImpactPreview flagKey={flag.key} env={env} config={bodyOf({ ...draftOf(config), defaultServe: proposed })} />}
          onConfirm={(reason) => void apply(reason)}
          onCancel={() => {
            setConfirming(false);
            setError(undefined);
          }}
        />
      )}
    </>
  );
}
