// Delivery bookkeeping in D1, next to the version it describes. `snapshot_version` is what is
// committed; `delivered_version` is the highest version the hub AND the KV copy have both
// confirmed. Below it, delivery is pending, and the reconciler retries (docs/delivery.md).
// Both statements are idempotent and ordered by version, so a late "pending" from a timed-out
// publish can never hide a delivery the hub confirmed in the meantime.

/** Records why delivery failed; only while the environment is still behind, keeping the first time. */
export async function markPending(db: D1Database, environment: string, error: string): Promise<void> {
  await db
    .prepare(
      `UPDATE environments SET delivery_pending_since = coalesce(delivery_pending_since, ?), delivery_error = ?
       WHERE key = ? AND delivered_version < snapshot_version`,
    )
    .bind(Date.now(), error.slice(0, 500), environment)
    .run();
}

/** The hub and KV both hold `version`: raise delivered_version; clear pending once it is the latest. */
export async function confirmDelivered(db: D1Database, environment: string, version: number): Promise<void> {
  await db
    .prepare(
      `UPDATE environments SET delivered_version = max(delivered_version, ?1),
         delivery_pending_since = CASE WHEN ?1 >= snapshot_version THEN NULL ELSE delivery_pending_since END,
         delivery_error = CASE WHEN ?1 >= snapshot_version THEN NULL ELSE delivery_error END
       WHERE key = ?2 AND delivered_version < ?1`,
    )
    .bind(version, environment)
    .run();
}

/** Environments whose latest committed snapshot the hub and KV have not both confirmed. */
export async function undelivered(db: D1Database): Promise<string[]> {
  const rows = await db
    .prepare('SELECT key FROM environments WHERE delivered_version < snapshot_version ORDER BY key')
    .all<{ key: string }>();
  return rows.results.map((r) => r.key);
}
