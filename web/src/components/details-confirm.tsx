import type { FlagDetail } from '../api/types.ts';
import type { Change } from '../lib/change-summary.ts';
import { ExposureImpact } from './exposure-impact.tsx';
import { ProductionConfirm } from './production-confirm.tsx';

/** The details form's fields, as text. */
export function toForm(f: FlagDetail) {
  return {
    name: f.name,
    owner: f.owner,
    type: f.type,
    expiresAt: f.expiresAt ?? '',
    primaryMetric: f.primaryMetric ?? '',
    description: f.description,
    tags: f.tags.join(', '),
    links: f.links.join('\n'),
    clientVisible: f.clientVisible,
    protectiveState: f.protectiveState ?? 'off',
  };
}
export type DetailsForm = ReturnType<typeof toForm>;

const LABELS: Record<keyof DetailsForm, string> = {
  name: 'Name',
  owner: 'Owner',
  type: 'Type',
  expiresAt: 'Expires',
  primaryMetric: 'Primary metric',
  description: 'Description',
  tags: 'Tags',
  links: 'Links',
  clientVisible: 'Visible to client keys',
  protectiveState: 'Protective state',
};
const show = (v: string | boolean) => (typeof v === 'boolean' ? (v ? 'Yes' : 'No') : v || '—');

export function detailChanges(before: DetailsForm, after: DetailsForm): Change[] {
  return (Object.keys(LABELS) as (keyof DetailsForm)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => ({ label: LABELS[k], before: show(before[k]), after: show(after[k]) }));
}

/**
 * Client visibility decides whether browsers (public client keys) get the flag at all, in every
 * environment: exposing a server-only flag, or taking one away from browsers that use it, is a
 * production change like any other. The protective state decides which switch is the unguarded
 * emergency move. Both are confirmed; the rest of the details are not (nothing served changes).
 */
export function DetailsConfirm({
  flag,
  before,
  after,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  flag: FlagDetail;
  before: DetailsForm;
  after: DetailsForm;
  busy: boolean;
  error: string | undefined;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const visible = after.clientVisible;
  const exposing = before.clientVisible !== after.clientVisible;
  const emergencyOn = after.protectiveState === 'on';
  const common = { busy, error, onConfirm, onCancel, changes: detailChanges(before, after) };
  if (!exposing)
    return (
      <ProductionConfirm
        {...common}
        title={`Make "${emergencyOn ? 'on' : 'off'}" the emergency move for ${flag.key}?`}
        confirmLabel="Change the protective state"
        lead={
          emergencyOn ? (
            <>
              From now on, turning {flag.key} <strong>on</strong> in any environment is the emergency action (as for a maintenance switch):
              it needs no version and wins over edits in progress. Turning it off becomes an ordinary guarded edit.
            </>
          ) : (
            <>
              From now on, turning {flag.key} <strong>off</strong> in any environment is the kill switch: it needs no version and wins over
              edits in progress. Turning it on becomes an ordinary guarded edit.
            </>
          )
        }
      />
    );
  return (
    <ProductionConfirm
      {...common}
      title={visible ? `Expose ${flag.key} to browsers?` : `Hide ${flag.key} from browsers?`}
      confirmLabel={visible ? 'Expose to client keys' : 'Hide from client keys'}
      danger={!visible}
      lead={
        visible ? (
          <>
            Browsers with a public client key, in every environment including production, can read its evaluated value from now on. Only
            expose what any visitor may see.
          </>
        ) : (
          <>
            Browsers stop getting it at once, in every environment including production: the apps that read it with a client key fall back
            to their code default. Server SDKs are not affected.
          </>
        )
      }
      impact={!visible && <ExposureImpact flagKey={flag.key} effect="those made by browsers get their code default instead" />}
    />
  );
}
