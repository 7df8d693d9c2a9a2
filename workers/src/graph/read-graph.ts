import { LIVE_STATUSES_SQL } from './dependency-graph.ts';

export interface GraphNode {
  id: string;
  kind: 'flag' | 'segment' | 'release';
  key: string;
  environment?: string;
  label: string;
  type?: string;
  status?: string;
}
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'prerequisite' | 'segment' | 'release';
  environment: string;
}

export const flagNode = (key: string) => `flag:${key}`;
export const segmentNode = (environment: string, key: string) => `segment:${environment}/${key}`;

/**
 * The whole graph in one D1 batch. Edges point from the dependent to what it depends on, the way
 * the archive and delete refusals read them (dependency-graph.ts): an edge into a node is a reason
 * it cannot go. A reference to a segment that no longer exists still gets its node, so the
 * drawing shows the broken reference rather than dropping it.
 */
export async function readGraph(db: D1Database): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  const [flagRows, prereqs, segmentUse, segmentRows, releases] = await db.batch([
    db.prepare('SELECT key, name, type FROM flags WHERE archived_at IS NULL ORDER BY key'),
    db.prepare(`SELECT DISTINCT fc.flag_key AS flag, fc.environment AS environment, json_extract(p.value, '$.flag') AS target
      FROM flag_configs fc JOIN flags f ON f.key = fc.flag_key, json_each(fc.prerequisites) p WHERE f.archived_at IS NULL`),
    db.prepare(`SELECT DISTINCT fc.flag_key AS flag, fc.environment AS environment, v.value AS target
      FROM flag_configs fc JOIN flags f ON f.key = fc.flag_key, json_each(fc.rules) r, json_each(r.value, '$.conditions') cnd,
      json_each(cnd.value, '$.values') v
      WHERE f.archived_at IS NULL AND json_extract(cnd.value, '$.op') IN ('inSegment', 'notInSegment')`),
    db.prepare('SELECT environment, key, name FROM segments ORDER BY environment, key'),
    db.prepare(`SELECT id, environment, flag_key AS flag, status FROM release_plans WHERE status IN ${LIVE_STATUSES_SQL}`),
  ]);
  const rows = <T>(r: D1Result | undefined) => (r?.results ?? []) as T[];
  const nodes = new Map<string, GraphNode>();
  for (const f of rows<{ key: string; name: string; type: string }>(flagRows))
    nodes.set(flagNode(f.key), { id: flagNode(f.key), kind: 'flag', key: f.key, label: f.name || f.key, type: f.type });
  for (const s of rows<{ environment: string; key: string; name: string }>(segmentRows)) {
    const id = segmentNode(s.environment, s.key);
    nodes.set(id, { id, kind: 'segment', key: s.key, environment: s.environment, label: s.name || s.key });
  }
  const edges: GraphEdge[] = [];
  for (const p of rows<{ flag: string; environment: string; target: string }>(prereqs))
    edges.push({ from: flagNode(p.flag), to: flagNode(p.target), kind: 'prerequisite', environment: p.environment });
  for (const u of rows<{ flag: string; environment: string; target: string }>(segmentUse)) {
    const id = segmentNode(u.environment, u.target);
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'segment', key: u.target, environment: u.environment, label: `${u.target} (missing)` });
    edges.push({ from: flagNode(u.flag), to: id, kind: 'segment', environment: u.environment });
  }
  for (const r of rows<{ id: string; environment: string; flag: string; status: string }>(releases)) {
    const id = `release:${r.id}`;
    nodes.set(id, { id, kind: 'release', key: r.id, environment: r.environment, label: `release in ${r.environment}`, status: r.status });
    edges.push({ from: id, to: flagNode(r.flag), kind: 'release', environment: r.environment });
  }
  return { nodes: [...nodes.values()], edges };
}
