type ProtectiveState = 'off' | 'on';

/**
 * Where the flag goes in an emergency. Off (the default) makes "off" the kill switch; a
 * maintenance switch declares on, so turning it on is the emergency move that needs no version.
 */
export function ProtectiveStateField({
  id,
  value,
  disabled,
  onChange,
}: {
  id: string;
  value: ProtectiveState;
  disabled?: boolean;
  onChange: (v: ProtectiveState) => void;
}) {
  return (
    <div class="field span-2">
      <label for={id}>Protective state (the emergency move, which needs no version)</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value as ProtectiveState)}>
        <option value="off">Off — a kill switch: off serves the off variant to everyone</option>
        <option value="on">On — e.g. a maintenance switch: on is protective and disruptive</option>
      </select>
    </div>
  );
}
