import { useEffect, useState } from 'preact/hooks';
import { useLeaveGuard } from './use-route.ts';

/**
 * An editor's draft of a versioned resource (a flag, one environment's configuration).
 *
 * - While the draft is pristine it follows newer versions pushed from elsewhere.
 * - Once the admin has edits of their own it stays put, and `changedElsewhere` says a save would
 *   be refused (409) until they `reset`.
 * - `saved(version, draft)` makes what was just written the new base, so a reload that arrives
 *   after the admin has started the next edit neither discards that edit nor sends a stale
 *   version. An older version arriving late (a read that raced the write) is ignored.
 */
export function useDraft<S extends { version: number }, D>(source: S, toDraft: (s: S) => D) {
  const [draft, setDraft] = useState<D>(() => toDraft(source));
  const [base, setBase] = useState(() => ({ version: source.version, json: JSON.stringify(toDraft(source)) }));
  const pristine = JSON.stringify(draft) === base.json;
  const newer = source.version > base.version;
  const reset = () => {
    const d = toDraft(source);
    setDraft(d);
    setBase({ version: source.version, json: JSON.stringify(d) });
  };
  useEffect(() => {
    if (pristine && newer) reset();
  }, [source.version, pristine]);
  useLeaveGuard(!pristine);
  return {
    draft,
    setDraft,
    /** The version the draft started from: send it with the save. */
    version: base.version,
    pristine,
    changedElsewhere: !pristine && newer,
    reset,
    saved: (version: number, sent: D) => setBase({ version, json: JSON.stringify(sent) }),
  };
}
