import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Change } from '../lib/change-summary.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';

interface Props {
  title: string;
  /** What the change does to users, said plainly. */
  lead: ComponentChildren;
  /** Before → after, one line per thing that changes. */
  changes: Change[];
  /** How many recent users it reaches (ImpactPreview or ExposureImpact). */
  impact?: ComponentChildren;
  confirmLabel: string;
  /**
   * The protective move (kill switch, entering maintenance): labelled as the emergency action,
   * and the reason is optional so nothing slows it down. Every other production write asks for one.
   */
  emergency?: boolean;
  danger?: boolean;
  busy: boolean;
  /** Why the last attempt failed; the dialog stays open so the admin can retry or cancel. */
  error?: ComponentChildren;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}

/**
 * The one confirmation every production write goes through: what changes, who it reaches, and
 * why (sent as `reason` to the audit log).
 */
export function ProductionConfirm({
  title,
  lead,
  changes,
  impact,
  confirmLabel,
  emergency,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: Props) {
  const [reason, setReason] = useState('');
  const ready = emergency || reason.trim() !== '';
  return (
    <ConfirmDialog
      title={title}
      confirmLabel={confirmLabel}
      danger={danger ?? emergency}
      busy={busy}
      ready={ready}
      onConfirm={() => onConfirm(reason.trim())}
      onCancel={onCancel}
    >
      {emergency && (
        <p class="emergency-note">
          <strong>Emergency action.</strong> It needs no version: it wins over edits in progress, and it is audited.
        </p>
      )}
      <p class="confirm-lead">{lead}</p>
      {changes.length > 0 && (
        <ul class="change-list" aria-label="What changes">
          {changes.map((c) => (
            <li key={c.label}>
              <span class="change-label">{c.label}</span>{' '}
              <span class="change-before">
                <span class="visually-hidden">from </span>
                {c.before}
              </span>{' '}
              <span aria-hidden="true">→</span>{' '}
              <strong class="change-after">
                <span class="visually-hidden">to </span>
                {c.after}
              </strong>
            </li>
          ))}
        </ul>
      )}
      {impact}
      <label for="confirm-reason">Reason (audit log){emergency ? ' — optional' : ''}</label>
      <input
        id="confirm-reason"
        value={reason}
        required={!emergency}
        maxLength={500}
        onInput={(e) => setReason(e.currentTarget.value)}
        placeholder={emergency ? 'e.g. errors on large invoices' : 'Why this change?'}
      />
      {error && (
        <p class="error-note" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
