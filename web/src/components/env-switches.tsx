import { useState } from 'preact/hooks';
import { canWrite } from '../api/can-write.ts';
import type { Environment, FlagDetail, WriteResult } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { savedNote } from '../lib/delivery.ts';
import { isProtectiveMove, onLabel } from '../lib/protective.ts';
import { DeliveryReport } from './delivery-report.tsx';
import { ToggleConfirm } from './toggle-confirm.tsx';

/**
 * On/off per environment. The move into the flag's protective state (off for a kill switch, on
 * for a maintenance switch) is the emergency action: it sends no version, so it wins against a
 * stale editor. The way back is an ordinary edit, guarded by the version it was made against.
 * Production asks for confirmation either way.
 */
export function EnvSwitches({
  flag,
  selected,
  onSelect,
  onChanged,
}: {
  flag: FlagDetail;
  selected: string;
  onSelect: (env: string) => void;
  onChanged: () => Promise<void>;
}) {
  const { api, me, environments, notify } = useSession();
  const [pending, setPending] = useState<{ env: Environment; enabled: boolean }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<WriteResult>();

  const flip = async (env: Environment, enabled: boolean, reason?: string) => {
    const config = flag.environments[env.key];
    if (!config) return;
    setBusy(true);
    setError(undefined);
    try {
      const version = isProtectiveMove(flag, enabled) ? undefined : config.version;
      const res = await api.toggle(flag.key, env.key, { enabled, ...(reason && { reason }) }, version);
      await onChanged();
      setResult(res);
      setPending(undefined);
      const note = savedNote(`${flag.key} is ${enabled ? 'on' : 'off'} in ${env.name}.`, res);
      notify(note.text, note.tone);
    } catch (e) {
      // In the dialog the message stays beside the retry; elsewhere the toast carries it.
      if (env.production) setError((e as Error).message);
      else notify((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="envs">
      <fieldset class="env-cards">
        <legend class="visually-hidden">State per environment</legend>
        {environments.map((env) => {
          const c = flag.environments[env.key];
          if (!c) return null;
          const writable = canWrite(me, env);
          // The card names the emergency move before anyone reaches for it.
          const emergency = isProtectiveMove(flag, !c.enabled) && writable;
          return (
            <div
              key={env.key}
              class={`env-card ${selected === env.key ? 'env-card-selected' : ''} ${env.production ? 'env-card-prod' : ''}`}
            >
              <button type="button" class="env-name" aria-pressed={selected === env.key} onClick={() => onSelect(env.key)}>
                {env.name}
                {env.production && <span class="badge badge-prod">prod</span>}
              </button>
              <span class="muted small">{c.enabled ? onLabel(c) : `serving ${c.offVariant}`}</span>
              <label class="switch">
                <input
                  type="checkbox"
                  role="switch"
                  aria-checked={c.enabled}
                  checked={c.enabled}
                  disabled={!writable || busy}
                  aria-label={`${flag.key} in ${env.name}`}
                  aria-describedby={emergency ? `emergency-${env.key}` : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    const enabled = !c.enabled;
                    setError(undefined);
                    if (env.production) setPending({ env, enabled });
                    else void flip(env, enabled);
                  }}
                />
                <span class="switch-track" aria-hidden="true" />
                <span class="switch-text">{c.enabled ? 'On' : 'Off'}</span>
              </label>
              {emergency && (
                <span id={`emergency-${env.key}`} class="emergency-hint small">
                  {c.enabled ? 'Off = kill switch' : 'On = emergency (disruptive)'}
                </span>
              )}
            </div>
          );
        })}
      </fieldset>
      {result && <DeliveryReport result={result} live={flag.environments[result.environment]} />}
      {pending && flag.environments[pending.env.key] && (
        <ToggleConfirm
          flag={flag}
          env={pending.env}
          config={flag.environments[pending.env.key]!}
          enabled={pending.enabled}
          busy={busy}
          error={error}
          onConfirm={(reason) => void flip(pending.env, pending.enabled, reason)}
          onCancel={() => setPending(undefined)}
        />
      )}
    </div>
  );
}
