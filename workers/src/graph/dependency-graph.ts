import { ApiError } from '../errors.ts';

/**
 * What depends on what across flags (issue 11 §7): prerequisites, segment use and release plans.
 * One set of queries serves both the graph the admin app draws and the rule that refuses to
 * archive or delete something still used, so the picture and the refusal never disagree.
 */

/**
 * A configuration's list `field` and the same list in its pending scheduled switch, as one JSON
 * array of the two lists: what a switch will serve depends on its prerequisites and segments as
 * surely as what is served now (an edge applies it at its instant, whatever was deleted since).
 */
const withSwitch = (field: 'rules' | 'prerequisites') =>
  `json_array(json(fc.${field}), json(coalesce(json_extract(fc.scheduled_switch, '$.config.${field}'), '[]')))`;

/** Live flags whose configuration (or pending switch) in an environment names flag `?2` as a prerequisite (`?1` = the same key, excluded). */
export const PREREQUISITE_USERS = `SELECT DISTINCT fc.flag_key AS flag, fc.environment AS environment
  FROM flag_configs fc JOIN flags f ON f.key = fc.flag_key, json_each(${withSwitch('prerequisites')}) ps, json_each(ps.value) p
  WHERE f.archived_at IS NULL AND fc.flag_key != ? AND json_extract(p.value, '$.flag') = ?`;

/** Live flags whose rules (or pending switch's rules) in environment `?1` test membership of segment `?2`. */
export const SEGMENT_USERS = `SELECT DISTINCT fc.flag_key AS flag, fc.environment AS environment FROM flag_configs fc JOIN flags f ON f.key = fc.flag_key,
  json_each(${withSwitch('rules')}) rs, json_each(rs.value) r, json_each(r.value, '$.conditions') cnd, json_each(cnd.value, '$.values') v
  WHERE f.archived_at IS NULL AND fc.environment = ? AND json_extract(cnd.value, '$.op') IN ('inSegment', 'notInSegment') AND v.value = ?`;

/** Release plans whose conductor still acts (or will, once resumed) on their flag. */
export const LIVE_STATUSES_SQL = "('running', 'waiting_approval', 'paused')";

/** Release plans that still act on flag `?`: the conductor would lose its flag. */
export const LIVE_RELEASES = `SELECT id, environment, status FROM release_plans WHERE flag_key = ? AND status IN ${LIVE_STATUSES_SQL}`;

export type Dependent =
  | { kind: 'prerequisite'; flag: string; environment: string }
  | { kind: 'segment-rule'; flag: string; environment: string }
  | { kind: 'release'; release: string; environment: string; status: string };

const LIMIT = 20;

/** Everything that stops flag `key` from being archived. */
export async function flagDependents(db: D1Database, key: string): Promise<Dependent[]> {
  const [prereq, releases] = await db.batch([
    db.prepare(`${PREREQUISITE_USERS} ORDER BY fc.flag_key, fc.environment LIMIT ${LIMIT}`).bind(key, key),
    db.prepare(`${LIVE_RELEASES} LIMIT ${LIMIT}`).bind(key),
  ]);
  return [
    ...((prereq?.results ?? []) as { flag: string; environment: string }[]).map((r) => ({ kind: 'prerequisite' as const, ...r })),
    ...((releases?.results ?? []) as { id: string; environment: string; status: string }[]).map((r) => ({
      kind: 'release' as const,
      release: r.id,
      environment: r.environment,
      status: r.status,
    })),
  ];
}

/** Everything that stops segment `key` of `environment` from being deleted. */
export async function segmentDependents(db: D1Database, environment: string, key: string): Promise<Dependent[]> {
  const { results } = await db
    .prepare(`${SEGMENT_USERS} ORDER BY fc.flag_key LIMIT ${LIMIT}`)
    .bind(environment, key)
    .all<{ flag: string; environment: string }>();
  return results.map((r) => ({ kind: 'segment-rule' as const, ...r }));
}

function describe(d: Dependent, what: string): string {
  if (d.kind === 'prerequisite') return `flag "${d.flag}" has "${what}" as a prerequisite in "${d.environment}"`;
  if (d.kind === 'segment-rule') return `flag "${d.flag}" uses segment "${what}" in "${d.environment}"`;
  return `release ${d.release} of "${what}" is ${d.status} in "${d.environment}"`;
}

/**
 * The one rule for archive and delete: while anything depends on it, 409 `in_use` naming every
 * dependent (the first in the message, all in `details.dependents`), and nothing changes.
 */
export function refuseIfUsed(what: string, dependents: readonly Dependent[], fix: string): void {
  if (dependents.length === 0) return;
  const first = describe(dependents[0] as Dependent, what);
  const more = dependents.length > 1 ? ` (and ${dependents.length - 1} more)` : '';
  throw new ApiError(409, 'in_use', `${first}${more}; ${fix}`, { dependents });
}
