import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { navigate } from '../hooks/use-route.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';

/**
 * Archive = gone from every snapshot at once (SDKs serve their defaults), history kept. The Worker
 * refuses (409 in_use) while another flag has this one as a prerequisite, so that flag would not
 * silently start failing its prerequisite check.
 */
export function ArchiveFlag({ flag }: { flag: FlagDetail }) {
  const { api, notify } = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error>();
  const close = () => {
    setOpen(false);
    setError(undefined);
  };
  const archive = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.archiveFlag(flag.key, reason.trim() || undefined);
      notify(`Archived ${flag.key}.`);
      navigate('/flags');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const inUse = error instanceof ApiError && error.code === 'in_use';
  return (
    <>
      <button type="button" class="btn btn-ghost btn-danger-text" onClick={() => setOpen(true)}>
        Archive…
      </button>
      {open && (
        <ConfirmDialog
          title={`Archive ${flag.key}?`}
          confirmLabel="Archive flag"
          danger
          busy={busy}
          onConfirm={() => void archive()}
          onCancel={close}
        >
          <p>
            It disappears from every environment's snapshot at once: SDKs serve their code defaults for <code>{flag.key}</code>. Its history
            stays in the audit log.
          </p>
          <label for="archive-reason">Reason (audit log)</label>
          <input id="archive-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="e.g. fully rolled out" />
          {error && (
            <div class="banner banner-warn" role="alert">
              <strong>{inUse ? 'Still in use. ' : 'Could not archive. '}</strong>
              {error.message}
            </div>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
