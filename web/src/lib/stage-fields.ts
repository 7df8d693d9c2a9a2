import type { Stage } from '../api/types.ts';

/** The numbers a person edits per stage; `scale` turns a stored rate (0–1) into the % typed. */
export interface StageField {
  label: string;
  path: string[];
  scale?: number;
}

export const STAGE_FIELDS: StageField[] = [
  { label: 'Percentage', path: ['percentage'] },
  { label: 'Min duration (s)', path: ['minDurationSeconds'] },
  { label: 'Min samples per variant', path: ['minSamples'] },
  { label: 'Error rate max %', path: ['checks', 'errorRate', 'max'], scale: 100 },
  { label: 'Error rate max × control', path: ['checks', 'errorRate', 'maxRatio'] },
  { label: 'p95 max ms', path: ['checks', 'latencyP95', 'maxMs'] },
  { label: 'p95 max × control', path: ['checks', 'latencyP95', 'maxRatio'] },
  { label: 'p99 max ms', path: ['checks', 'latencyP99', 'maxMs'] },
  { label: 'p99 max × control', path: ['checks', 'latencyP99', 'maxRatio'] },
];

type Obj = Record<string, unknown>;

export function fieldValue(stage: Stage, { path, scale = 1 }: StageField): string {
  const v = path.reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], stage);
  return typeof v === 'number' ? String(+(v * scale).toPrecision(12)) : '';
}

/**
 * A copy of `stage` with one field set from what was typed; an emptied check field is removed,
 * and a check left with no field is removed too, so the plan sends only the checks it means.
 */
export function withField(stage: Stage, { path, scale = 1 }: StageField, typed: string): Stage {
  const next = structuredClone(stage) as unknown as Obj;
  const parents = [next];
  for (const k of path.slice(0, -1)) {
    const parent = parents.at(-1)!;
    parent[k] ??= {};
    parents.push(parent[k] as Obj);
  }
  const last = path.at(-1)!;
  const owner = parents.at(-1)!;
  if (typed.trim() === '') delete owner[last];
  else owner[last] = Number(typed) / scale;
  if (path.length === 3 && Object.keys(owner).length === 0) delete (parents[1] as Obj)[path[1]!];
  return next as unknown as Stage;
}

export const newStage = (percentage = 100): Stage => ({
  percentage,
  minDurationSeconds: 0,
  approval: 'auto',
  minSamples: 0,
  checks: { errorRate: { maxRatio: 2 } },
});
