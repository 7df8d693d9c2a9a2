import { useState } from 'preact/hooks';
import { canWrite } from '../api/can-write.ts';
import type { Environment, FlagDetail, WriteResult } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { serveLabel } from '../lib/flag-status.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { DeliveryReport } from './delivery-report.tsx';

/** What an enabled environment serves, e.g. "2 rules, then default off" or "25% on". */
function onLabel(serve: string, offVariant: string, rules: number): string {
  const first = rules > 0 ? `${rules} rule${rules > 1 ? 's' : ''}, then ` : '';
  return `${first}${serve === offVariant ? `default ${serve}` : serve}`;
}

/**
 * On/off per environment. Off is the kill switch: it needs no version (it must win against a
 * stale editor) and production asks for confirmation first.
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
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<WriteResult>();

  const flip = async (env: Environment, enabled: boolean) => {
    setBusy(true);
    try {
      const res = await api.toggle(flag.key, env.key, { enabled, reason: reason || undefined });
      await onChanged();
      setResult(res);
      notify(`${flag.key} is ${enabled ? 'on' : 'off'} in ${env.name}.`);
    } catch (e) {
      notify((e as Error).message, 'error');
    } finally {
      setBusy(false);
      setPending(undefined);
      setReason('');
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
          return (
            <div
              key={env.key}
              class={`env-card ${selected === env.key ? 'env-card-selected' : ''} ${env.production ? 'env-card-prod' : ''}`}
            >
              <button type="button" class="env-name" aria-pressed={selected === env.key} onClick={() => onSelect(env.key)}>
                {env.name}
                {env.production && <span class="badge badge-prod">prod</span>}
              </button>
              <span class="muted small">
                {c.enabled ? onLabel(serveLabel(c.defaultServe, c.offVariant), c.offVariant, c.rules.length) : `serving ${c.offVariant}`}
              </span>
              <label class="switch">
                <input
                  type="checkbox"
                  role="switch"
                  aria-checked={c.enabled}
                  checked={c.enabled}
                  disabled={!writable || busy}
                  aria-label={`${flag.key} in ${env.name}`}
                  onClick={(e) => {
                    e.preventDefault();
                    const enabled = !c.enabled;
                    if (env.production) setPending({ env, enabled });
                    else void flip(env, enabled);
                  }}
                />
                <span class="switch-track" aria-hidden="true" />
                <span class="switch-text">{c.enabled ? 'On' : 'Off'}</span>
              </label>
            </div>
          );
        })}
      </fieldset>
      {result && <DeliveryReport result={result} />}
      {pending && (
        <ConfirmDialog
          title={`Turn ${pending.enabled ? 'on' : 'off'} ${flag.key} in ${pending.env.name}?`}
          confirmLabel={pending.enabled ? 'Turn on in production' : 'Turn off in production'}
          danger={!pending.enabled}
          busy={busy}
          onConfirm={() => void flip(pending.env, pending.enabled)}
          onCancel={() => setPending(undefined)}
        >
          <p>
            Every connected client in <strong>{pending.env.name}</strong> gets this at once.{' '}
            {pending.enabled
              ? 'Targeting and rollout apply again.'
              : `Everyone will be served "${flag.environments[pending.env.key]?.offVariant}".`}
          </p>
          <label for="toggle-reason">Reason (audit log)</label>
          <input
            id="toggle-reason"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            placeholder="e.g. errors on large invoices"
          />
        </ConfirmDialog>
      )}
    </div>
  );
}
