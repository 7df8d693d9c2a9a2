// Browsers hold a public key, so what the hub tells them must not name server-only flags: a
// `refetch` lists only changed keys that are client-visible in the snapshot being announced.
// A flag that was just hidden or deleted is left out too; browsers re-POST on every `refetch`
// (they do not read the list), so leaving a key out never leaves one stale.

/** The hub embeds snapshots verbatim, so visibility is read once per snapshot string. */
let memo: { snapshot: string; keys: ReadonlySet<string> } | undefined;

/** Keys of the client-visible flags in a snapshot's JSON (`{ flags: [{ key, clientVisible }] }`). */
export function clientVisibleKeys(snapshot: string): ReadonlySet<string> {
  if (memo?.snapshot === snapshot) return memo.keys;
  const keys = new Set<string>();
  try {
    const { flags } = JSON.parse(snapshot) as { flags?: unknown };
    if (Array.isArray(flags)) {
      for (const flag of flags as Array<{ key?: unknown; clientVisible?: unknown } | null>) {
        if (flag?.clientVisible === true && typeof flag.key === 'string') keys.add(flag.key);
      }
    }
  } catch {
    // Unreadable snapshot: name nothing rather than everything.
  }
  memo = { snapshot, keys };
  return keys;
}

/** `changed` narrowed to what a client key may see; `undefined` ("anything") stays as it is. */
export function clientVisibleChanged(changed: readonly string[] | undefined, snapshot: string): readonly string[] | undefined {
  if (!changed || changed.length === 0) return changed;
  const visible = clientVisibleKeys(snapshot);
  return changed.filter((key) => visible.has(key));
}
