import { useMemo, useState } from 'preact/hooks';
import type { GraphEdge, GraphNode } from '../api/governance-types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Link } from '../components/link.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { dependentsOf, layout, type Placed } from '../lib/graph-layout.ts';
import '../styles/graph.css';

const COL = 240;
const NODE_W = 196;
const NODE_H = 34;
const ROW = 48;
const PAD = 8;

const KIND_WORDS: Record<GraphEdge['kind'], string> = {
  prerequisite: 'prerequisite',
  segment: 'uses the segment',
  release: 'live release',
};

function title(n: GraphNode): string {
  if (n.kind === 'flag') return n.key;
  if (n.kind === 'segment') return `segment ${n.key} (${n.environment})`;
  return `release in ${n.environment} (${n.status})`;
}

/** What removing `n` means, in the words of the refusal it would meet. */
function action(n: GraphNode): string {
  if (n.kind === 'flag') return `Archiving ${n.key}`;
  if (n.kind === 'segment') return `Deleting segment ${n.key} in ${n.environment}`;
  return `This release of the flag it points at`;
}

/**
 * The dependency graph (GET /graph): prerequisites, segment use and live release plans, drawn in
 * layers so every arrow points from a dependent to what it depends on. Choosing a node lists what
 * would break; the Worker refuses to archive or delete it (409 in use) while anything remains.
 */
export function GraphPage() {
  const { api, environments } = useSession();
  const graph = useAsync(() => api.graph(), []);
  const [env, setEnv] = useState('');
  const [selected, setSelected] = useState<string>();
  const view = useMemo(() => {
    const g = graph.data;
    if (!g) return undefined;
    const edges = g.edges.filter((e) => !env || e.environment === env);
    const used = new Set(edges.flatMap((e) => [e.from, e.to]));
    const nodes = layout(
      g.nodes.filter((n) => used.has(n.id)),
      edges,
    );
    const alone = g.nodes.filter((n) => n.kind === 'flag' && !used.has(n.id)).length;
    return { edges, nodes, alone, byId: new Map(nodes.map((n) => [n.id, n])) };
  }, [graph.data, env]);
  const breaks = selected && view ? dependentsOf(selected, view.edges) : [];
  const chosen = selected ? view?.byId.get(selected) : undefined;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Dependencies</h1>
      </div>
      <p class="muted">
        Prerequisites, segments and live releases across flags. Choose a flag or segment to see what breaks if it goes: the service refuses
        to archive or delete it while anything still depends on it.
      </p>
      <div class="field field-inline">
        <label for="graph-env">Environment</label>
        <select id="graph-env" value={env} onChange={(e) => setEnv(e.currentTarget.value)}>
          <option value="">All environments</option>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={graph.error} />
      {!view ? (
        !graph.error && <p class="muted">Loading…</p>
      ) : view.nodes.length === 0 ? (
        <p class="empty">No flag depends on another flag, a segment or a live release here.</p>
      ) : (
        <>
          <Drawing nodes={view.nodes} edges={view.edges} selected={selected} breaks={breaks} onSelect={setSelected} />
          {view.alone > 0 && <p class="muted">{view.alone} other flags have no dependencies and nothing depends on them.</p>}
          {chosen && <Breaks node={chosen} ids={breaks} byId={view.byId} edges={view.edges} />}
        </>
      )}
    </section>
  );
}

function Drawing(props: {
  nodes: Placed[];
  edges: GraphEdge[];
  selected: string | undefined;
  breaks: string[];
  onSelect: (id: string) => void;
}) {
  const { nodes, edges, selected, breaks, onSelect } = props;
  const at = new Map(nodes.map((n) => [n.id, { x: PAD + n.layer * COL, y: PAD + n.row * ROW }]));
  const width = PAD * 2 + (Math.max(...nodes.map((n) => n.layer)) + 1) * COL - (COL - NODE_W);
  const height = PAD * 2 + Math.max(...nodes.map((n) => n.row + 1)) * ROW - (ROW - NODE_H);
  const hot = new Set([selected, ...breaks]);
  return (
    <div class="graph-scroll">
      <svg class="graph" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        <title>Dependency graph: arrows point from a dependent to what it depends on</title>
        <defs>
          <marker id="graph-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M0,0 L8,4 L0,8 z" />
          </marker>
        </defs>
        {edges.map((e) => {
          const from = at.get(e.from);
          const to = at.get(e.to);
          if (!from || !to) return null;
          const [x1, y1, x2, y2] = [from.x, from.y + NODE_H / 2, to.x + NODE_W, to.y + NODE_H / 2];
          const mid = (x1 + x2) / 2;
          return (
            <path
              key={`${e.from}>${e.to}@${e.environment}`}
              class={`gedge gedge-${e.kind}${hot.has(e.from) && hot.has(e.to) ? ' gedge-hot' : ''}`}
              d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
              marker-end="url(#graph-arrow)"
            >
              <title>{`${e.from.replace(/^\w+:/, '')} → ${e.to.replace(/^\w+:/, '')}: ${KIND_WORDS[e.kind]} in ${e.environment}`}</title>
            </path>
          );
        })}
        {nodes.map((n) => {
          const p = at.get(n.id)!;
          const state = n.id === selected ? ' gnode-selected' : breaks.includes(n.id) ? ' gnode-breaks' : '';
          const label = title(n);
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes the role and the keys
            <g
              key={n.id}
              class={`gnode gnode-${n.kind}${state}`}
              transform={`translate(${p.x},${p.y})`}
              role="button"
              tabIndex={0}
              aria-pressed={n.id === selected}
              aria-label={label}
              onClick={() => onSelect(n.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onSelect(n.id);
                }
              }}
            >
              <rect width={NODE_W} height={NODE_H} rx="6" />
              <text x="10" y={NODE_H / 2 + 4}>
                {label.length > 28 ? `${label.slice(0, 27)}…` : label}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function Breaks({ node, ids, byId, edges }: { node: Placed; ids: string[]; byId: Map<string, Placed>; edges: GraphEdge[] }) {
  const why = (id: string) =>
    edges.filter((e) => e.from === id && (e.to === node.id || ids.includes(e.to))).map((e) => `${KIND_WORDS[e.kind]} in ${e.environment}`);
  return (
    <section class="panel graph-breaks" aria-live="polite">
      <h2>{action(node)}</h2>
      {node.kind === 'release' ? (
        <p>A live release keeps its flag from being archived until it completes, is aborted or is rolled back.</p>
      ) : ids.length === 0 ? (
        <p>Nothing depends on it: it can go.</p>
      ) : (
        <>
          <p>is refused while these depend on it ({ids.length}); through them, everything listed would stop working as configured:</p>
          <ul>
            {ids.map((id) => {
              const n = byId.get(id);
              if (!n) return null;
              return (
                <li key={id}>
                  {n.kind === 'flag' ? <Link href={`/flags/${encodeURIComponent(n.key)}`}>{n.key}</Link> : title(n)}{' '}
                  <span class="muted">({[...new Set(why(id))].join(', ')})</span>
                </li>
              );
            })}
          </ul>
        </>
      )}
      {node.kind === 'flag' && (
        <p>
          <Link href={`/flags/${encodeURIComponent(node.key)}`}>Open {node.key}</Link>
        </p>
      )}
    </section>
  );
}
