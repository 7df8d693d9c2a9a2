import { useState } from 'preact/hooks';
import { canWrite } from '../api/can-write.ts';
import type { AuditRow, ConfigRow } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { type Change, configChanges } from '../lib/change-summary.ts';
import type { ConfigDraft } from '../lib/config-draft.ts';
import { draftOf } from '../lib/config-draft.ts';
import { savedNote } from '../lib/delivery.ts';
import { ProductionConfirm } from './production-confirm.tsx';

/** Whether an audit entry left a flag configuration that can be returned to. */
export const revertable = (e: AuditRow) => e.resourceType === 'flag_config' && e.environment !== null && e.after !== null;

/** The configuration an audit entry's `after` holds, as the editor words it (absent lists were empty). */
function draftFrom(after: Record<string, unknown>): ConfigDraft {
  return {
    enabled: after.enabled === true,
    offVariant: String(after.offVariant ?? 'off'),
    prerequisites: (after.prerequisites ?? []) as ConfigDraft['prerequisites'],
    targets: (after.targets ?? []) as ConfigDraft['targets'],
    rules: (after.rules ?? []) as ConfigDraft['rules'],
    defaultServe: (after.defaultServe ?? { variant: 'off' }) as ConfigDraft['defaultServe'],
    bucketBy: (after.bucketBy as string | undefined) ?? null,
  };
}

/**
 * "Revert to this version" on an audit entry: shows what would change from today's configuration,
 * asks why, and sends the revert guarded by the version it read (a change in between is a 409).
 */
export function RevertConfig({ entry, onDone }: { entry: AuditRow; onDone: () => void }) {
  const { api, me, environments, notify } = useSession();
  const env = environments.find((e) => e.key === entry.environment);
  const [current, setCurrent] = useState<ConfigRow>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  if (!revertable(entry) || !env || !canWrite(me, env)) return null;
  const target = draftFrom(entry.after as Record<string, unknown>);
  const version = (entry.after as { version?: number }).version;
  const open = async () => {
    setError(undefined);
    try {
      const flag = await api.getFlag(entry.resourceKey);
      setCurrent(flag.environments[env.key]);
    } catch (e) {
      notify(`Could not read ${entry.resourceKey}: ${(e as Error).message}`, 'error');
    }
  };
  const revert = async (reason: string) => {
    if (!current) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.revertConfig(entry.resourceKey, env.key, { toAuditId: entry.id, ...(reason && { reason }) }, current.version);
      const note = savedNote(`Reverted ${entry.resourceKey} in ${env.name}.`, res);
      notify(note.text, note.tone);
      setCurrent(undefined);
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const changes: Change[] = current ? configChanges(draftOf(current), target) : [];
  return (
    <>
      <button type="button" class="btn btn-sm" onClick={() => void open()}>
        Revert to this version
      </button>
      {current && (
        <ProductionConfirm
          title={`Revert ${entry.resourceKey} in ${env.name}${version ? ` to version ${version}` : ''}?`}
          confirmLabel="Revert"
          busy={busy}
          lead={
            changes.length
              ? 'Its configuration goes back to what this change left, as a new version; the revert is audited and can be reverted too.'
              : 'Its configuration is already what this change left: reverting changes nothing.'
          }
          changes={changes}
          error={error && <strong>Could not revert. {error.message}</strong>}
          onConfirm={(reason) => void revert(reason)}
          onCancel={() => setCurrent(undefined)}
        />
      )}
    </>
  );
}
