/** The × that removes one row of an editor; `label` names the row for screen readers. */
export function RemoveButton({ label, disabled, onClick }: { label: string; disabled?: boolean; onClick: () => void }) {
  return (
    <button type="button" class="btn btn-ghost btn-icon" disabled={disabled} aria-label={label} onClick={onClick}>
      ×
    </button>
  );
}
