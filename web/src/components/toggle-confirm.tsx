import type { ConfigRow, Environment, FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { useAsync } from '../hooks/use-async.ts';
import { bodyOf, draftOf } from '../lib/config-draft.ts';
import { emergencyLabel, emergencyName, isProtectiveMove, moveEffect, onLabel } from '../lib/protective.ts';
import { connectedClients } from './delivery-report.tsx';
import { ImpactPreview } from './impact-preview.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

const state = (c: ConfigRow, enabled: boolean) => (enabled ? `On (${onLabel(c)})` : `Off (everyone gets ${c.offVariant})`);

/** Confirmation of an on/off switch in production: the emergency action, or an ordinary guarded edit. */
export function ToggleConfirm({
  flag,
  env,
  config,
  enabled,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  flag: FlagDetail;
  env: Environment;
  config: ConfigRow;
  enabled: boolean;
  busy: boolean;
  error: string | undefined;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const emergency = isProtectiveMove(flag, enabled);
  const verb = enabled ? 'on' : 'off';
  const { api } = useSession();
  // Who gets it: the streams open in this environment now (the hub counts them per kind).
  const hub = useAsync(() => api.hubStats(env.key), [api, env.key]);
  const c = hub.data?.connections;
  return (
    <ProductionConfirm
      title={emergency ? `${emergencyName(flag)}: ${flag.key} in ${env.name}` : `Turn ${verb} ${flag.key} in ${env.name}?`}
      confirmLabel={emergency ? emergencyLabel(flag, config) : `Turn ${verb} in ${env.name.toLowerCase()}`}
      emergency={emergency}
      danger={emergency || flag.protectiveState === 'on'}
      busy={busy}
      error={error}
      lead={
        <>
          Every connected client in <strong>{env.name}</strong> gets this at once
          {hub.data && c && (
            <span data-testid="connected-now">
              : <strong>{connectedClients(hub.data)}</strong> connected now ({c.server} server, {c.client} browser, {c.ofrep} OFREP)
            </span>
          )}
          . {moveEffect(flag, config, enabled)}
        </>
      }
      changes={[{ label: 'State', before: state(config, config.enabled), after: state(config, enabled) }]}
      impact={<ImpactPreview flagKey={flag.key} env={env.key} config={bodyOf({ ...draftOf(config), enabled })} />}
      onConfirm={onConfirm}
      onCancel={onCancel}
    />
  );
}
