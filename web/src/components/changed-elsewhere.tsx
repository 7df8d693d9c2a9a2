/** Said when someone else saved while the admin was editing: their save would be refused (409). */
export function ChangedElsewhere({ what, version, onReset }: { what: string; version: number; onReset: () => void }) {
  return (
    <div class="banner banner-warn" role="alert">
      Someone changed {what} while you were editing (now version {version}).{' '}
      <button type="button" class="btn btn-sm" onClick={onReset}>
        Discard my edits and reload
      </button>
    </div>
  );
}
