import { useState } from 'preact/hooks';
import type { FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import type { Change } from '../lib/change-summary.ts';
import { savedNote } from '../lib/delivery.ts';
import { GONE, liveStates } from './archive-flag.tsx';
import { ExposureImpact } from './exposure-impact.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

/**
 * An archived flag's page says so, and offers the way back: restoring puts it into every
 * environment's snapshot again with the configuration it had, so it is confirmed like any
 * production change.
 */
export function RestoreFlag({ flag, canRestore, onRestored }: { flag: FlagDetail; canRestore: boolean; onRestored: () => void }) {
  const { api, notify, environments } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const restore = async (reason: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.restoreFlag(flag.key, flag.version, reason || undefined);
      setOpen(false);
      const note = savedNote(`Restored ${flag.key}.`, res);
      notify(note.text, note.tone);
      onRestored();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const changes: Change[] = liveStates(flag, environments).map(({ label, state }) => ({ label, before: GONE, after: state }));
  const since = flag.archivedAt ? new Date(flag.archivedAt).toLocaleString() : '';
  return (
    <>
      <div class="banner banner-warn archived-banner">
        <p>
          <strong>Archived</strong> {since && <>on {since}</>}: it is in no environment's snapshot, so SDKs serve their code defaults.
        </p>
        {canRestore && (
          <button type="button" class="btn" onClick={() => setOpen(true)}>
            Restore…
          </button>
        )}
      </div>
      {open && (
        <ProductionConfirm
          title={`Restore ${flag.key}?`}
          confirmLabel="Restore flag"
          busy={busy}
          error={error}
          lead={
            <>
              It returns to every environment's snapshot at once, production included, with the configuration it had when it was archived.
            </>
          }
          changes={changes}
          impact={<ExposureImpact flagKey={flag.key} effect="they get the flag's value again instead of their code default" />}
          onConfirm={(reason) => void restore(reason)}
          onCancel={() => {
            setOpen(false);
            setError(undefined);
          }}
        />
      )}
    </>
  );
}
