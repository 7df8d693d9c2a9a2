import { type Exposure, SOURCE_LIMITS, type SourceKind } from './events-schema.ts';

export const HOUR_MS = 3_600_000;

/** The exposures one source sent in one hour (server time) within a batch. */
export interface SourceHour {
  environment: string;
  source: string;
  kind: SourceKind;
  hour: number;
  events: Exposure[];
}

/**
 * Trims each source's exposures to what is left of its hourly quota and answers the statements
 * that record the use. The read and the write are separate round trips, so two batches consumed
 * at once can each see the same remaining quota: the overshoot is bounded by one batch per
 * concurrent consumer (100 messages), never by how fast a caller sends.
 */
export async function applyQuotas(db: D1Database, groups: SourceHour[], now: number): Promise<D1PreparedStatement[]> {
  if (groups.length === 0) return [];
  const used = await db.batch<{ count: number }>(
    groups.map((g) =>
      db
        .prepare('SELECT count FROM exposure_quotas WHERE environment = ? AND source = ? AND hour = ?')
        .bind(g.environment, g.source, g.hour),
    ),
  );
  const stmts: D1PreparedStatement[] = [];
  groups.forEach((g, i) => {
    const left = Math.max(0, SOURCE_LIMITS.exposuresPerHour[g.kind] - (used[i]?.results[0]?.count ?? 0));
    if (g.events.length > left) g.events.length = left;
    if (g.events.length === 0) return;
    stmts.push(
      db
        .prepare(
          `INSERT INTO exposure_quotas (environment, source, hour, count) VALUES (?, ?, ?, ?)
           ON CONFLICT (environment, source, hour) DO UPDATE SET count = count + excluded.count`,
        )
        .bind(g.environment, g.source, g.hour, g.events.length),
    );
  });
  // Only the current and the previous hour are ever consulted.
  stmts.push(db.prepare('DELETE FROM exposure_quotas WHERE hour < ?').bind(Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS));
  return stmts;
}
