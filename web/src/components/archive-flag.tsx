import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import type { Environment, FlagDetail } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { navigate } from '../hooks/use-route.ts';
import type { Change } from '../lib/change-summary.ts';
import { savedNote } from '../lib/delivery.ts';
import { onLabel } from '../lib/protective.ts';
import { ExposureImpact } from './exposure-impact.tsx';
import { Link } from './link.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

export const GONE = 'archived (SDKs serve their code default)';

/**
 * What the flag serves while live, one line per distinct state with the environments in it
 * ("Development, Staging: Off (serving off)"), for archive and restore summaries.
 */
export function liveStates(flag: FlagDetail, environments: Environment[]): { label: string; state: string }[] {
  const byState = new Map<string, string[]>();
  for (const env of environments) {
    const c = flag.environments[env.key];
    if (!c) continue;
    const state = c.enabled ? `On (${onLabel(c)})` : `Off (serving ${c.offVariant})`;
    byState.set(state, [...(byState.get(state) ?? []), env.name]);
  }
  return [...byState].map(([state, names]) => ({ label: names.join(', '), state }));
}

/**
 * Archive = gone from every snapshot at once (SDKs serve their defaults), history kept, and it
 * can be restored. The Worker refuses (409 in_use) while another flag has this one as a
 * prerequisite, so that flag would not silently start failing its prerequisite check, or while a
 * release of it is live; the Dependencies page shows what depends on it.
 */
export function ArchiveFlag({ flag }: { flag: FlagDetail }) {
  const { api, notify, environments } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error>();
  const close = () => {
    setOpen(false);
    setError(undefined);
  };
  const archive = async (reason: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.archiveFlag(flag.key, flag.version, reason || undefined);
      const note = savedNote(`Archived ${flag.key}.`, res);
      notify(note.text, note.tone);
      navigate('/flags');
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const inUse = error instanceof ApiError && error.code === 'in_use';
  const changes: Change[] = liveStates(flag, environments).map(({ label, state }) => ({ label, before: state, after: GONE }));
  return (
    <>
      <button type="button" class="btn btn-ghost btn-danger-text" onClick={() => setOpen(true)}>
        Archive…
      </button>
      {open && (
        <ProductionConfirm
          title={`Archive ${flag.key}?`}
          confirmLabel="Archive flag"
          danger
          busy={busy}
          error={
            error && (
              <>
                <strong>{inUse ? 'Still in use. ' : 'Could not archive. '}</strong>
                {error.message}
                {inUse && (
                  <>
                    {' '}
                    <Link href="/graph">See what depends on it</Link>
                  </>
                )}
              </>
            )
          }
          lead={
            <>
              It disappears from every environment's snapshot at once, production included: SDKs serve their code defaults for{' '}
              <code>{flag.key}</code>. Its history stays in the audit log, and it can be restored.
            </>
          }
          changes={changes}
          impact={<ExposureImpact flagKey={flag.key} effect="they get their code default instead" />}
          onConfirm={(reason) => void archive(reason)}
          onCancel={close}
        />
      )}
    </>
  );
}
